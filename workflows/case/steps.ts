import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { patchedOrCurrent } from '../patches.js';
import type { ContactChannel } from '../../domain/case-facts.js';
import { requiredDisclosures } from '../../domain/regulation/index.js';
import { isMessageAction } from '../../domain/step-actions.js';
import type { StepResult } from '../../domain/step-conditions.js';
import type { TStep, TTemplate } from '../../domain/strategy.js';
import { CloseReason } from '../case-messages.js';
import type { ConsolidatedAccount, CoveredBy } from '../person-messages.js';
import { channelSends, failureOf, records, sends } from './activities.js';
import type { CaseRun } from './run.js';

/** Carrying out a timeline step, and the sends and case files the engine makes on its own account. */

/**
 * Carries out a step; answers how it ended (a failure is recorded, not thrown). With `consolidated`
 * accounts (the person's answer), a message step sends one message listing them with this one.
 */
export async function runStep(run: CaseRun, step: TStep, key = run.idempotencyKey(step.id), consolidated: ConsolidatedAccount[] = []): Promise<StepResult> {
  const { live, state } = run;
  const { caseId, account } = live;
  try {
    switch (step.action) {
      default: {
        // A message channel (domain/channels/): sent by the activity its module names.
        const templateKey = step.template ?? '';
        const template = live.strategy.definition.templates[templateKey];
        const contact = state.contacts[step.action];
        if (!template || !contact) throw ApplicationFailure.nonRetryable(`step ${step.id} cannot be sent`, 'StepMisconfigured');
        const own = consolidated.length > 0 ? live.consolidatedLine(step, key) : null;
        if (own && (step.action === 'email' || step.action === 'sms')) return await sendConsolidated(run, step, step.action, key, [own, ...consolidated]);
        const send = channelSends[step.action];
        const sent = await run.unlessClosed(() =>
          send({
            caseId,
            stepId: step.id,
            idempotencyKey: key,
            templateKey,
            template,
            ...(template.managed ? { templateRef: { key: template.managed } } : {}),
            to: contact.address,
            account: live.templateAccount(),
            compliance: live.contentFacts(),
          }),
        );
        if (!sent) return 'skipped';
        state.lastSent = { ...state.lastSent, [step.action]: step.id };
        live.comply({ type: 'message_sent', channel: step.action, at: Date.now(), validationNotice: live.contactPolicy.validationNotice?.templates?.includes(templateKey) ?? false });
        live.record('step_done', `${step.action} "${templateKey}" sent`, {
          stepId: step.id,
          data: { communicationId: sent.value.communicationId, duplicate: sent.value.duplicate },
        });
        return 'sent';
      }
      case 'call': {
        const task = await records.createCallTask({ caseId, stepId: step.id, idempotencyKey: key, balance: state.balance });
        live.record('step_done', 'call task created for an officer', { stepId: step.id, data: { taskId: task.taskId } });
        return 'sent';
      }
      case 'legal_review': {
        await projectForCaseFile(run);
        const task = await records.createTask({ caseId, idempotencyKey: key, kind: 'legal_review', reason: step.note ?? `legal review step "${step.id}"`, balance: state.balance, daysPastDue: live.daysPastDue() });
        live.record('step_done', 'legal review task created', { stepId: step.id, data: { taskId: task.taskId } });
        return 'sent';
      }
      case 'note':
      case 'wait':
        live.record('step_done', step.action === 'note' ? `note: ${step.note ?? ''}` : 'checkpoint', { stepId: step.id });
        return 'sent';
      case 'plan_monitoring':
        // The loop watches active plans itself; reaching this step means none is active.
        live.record('step_skipped', `step "${step.id}" skipped: no plan is active`, { stepId: step.id });
        return 'skipped';
      case 'agency_referral': {
        const agency = step.agency ?? 'default';
        if (patchedOrCurrent('agency-placement-keeps-case-open')) {
          await placeWithAgency(run, step.id, agency, key);
          return 'sent';
        }
        await projectForCaseFile(run);
        const placement = await records.referToAgency({ caseId, stepId: step.id, idempotencyKey: key, agency, balance: state.balance, currency: account.currency });
        live.record('step_done', `referred to agency ${agency}`, { stepId: step.id, data: { placementId: placement.placementId } });
        live.close(CloseReason.referred, `referred to agency ${agency}`);
        return 'sent';
      }
    }
  } catch (error) {
    if (isCancellation(error)) throw error;
    const { type, message } = failureOf(error);
    if (type === 'InvalidRecipient' && isMessageAction(step.action)) {
      const contact = state.contacts[step.action];
      if (contact) contact.valid = false;
    }
    live.record('step_failed', `${step.action} failed: ${message}`, { stepId: step.id, data: { type, channel: step.action } });
    // An agency that refuses the referral for good leaves the case with us: a person places it,
    // as after a refused escalation. (Only an agency's permanent refusal reaches here.)
    if (step.action === 'agency_referral' && patchedOrCurrent('agency-step-refused-task')) {
      live.sideEffects.push({ kind: 'task', task: { kind: 'escalation', reason: `agency ${step.agency ?? 'default'} refused the referral of step "${step.id}" (${message}): place the case by hand` } });
    }
    return type === 'InvalidRecipient' ? 'bounced' : 'failed';
  }
}

/** One message listing this case's account and the others the person named; a communication of each. */
async function sendConsolidated(run: CaseRun, step: TStep, channel: 'email' | 'sms', key: string, accounts: ConsolidatedAccount[]): Promise<StepResult> {
  const { live, state } = run;
  const contact = state.contacts[channel];
  if (!contact) throw ApplicationFailure.nonRetryable(`step ${step.id} cannot be sent`, 'StepMisconfigured');
  const sent = await run.unlessClosed(() =>
    sends.sendConsolidated({ channel, caseId: live.caseId, stepId: step.id, idempotencyKey: key, to: contact.address, debtorName: live.account.debtor.name, accounts, compliance: live.contentFacts() }),
  );
  if (!sent) return 'skipped';
  state.lastSent = { ...state.lastSent, [channel]: step.id };
  live.comply({ type: 'message_sent', channel, at: Date.now(), validationNotice: false });
  const listed = accounts.map((each) => each.externalId);
  live.record('step_done', `consolidated ${channel} sent listing ${listed.join(', ')}`, {
    stepId: step.id,
    data: { communicationId: sent.value.communicationId, duplicate: sent.value.duplicate, accounts: listed },
  });
  return 'sent';
}

/** Another account's consolidated message listed this step: done without sending, a communication of this case already. */
export function recordCovered(run: CaseRun, step: TStep, by: CoveredBy): void {
  const { live, state } = run;
  const channel = step.action === 'sms' ? 'sms' : 'email';
  state.lastSent = { ...state.lastSent, [channel]: step.id };
  live.comply({ type: 'message_sent', channel, at: by.at, validationNotice: false });
  live.record('step_done', `included in the consolidated ${channel === 'sms' ? 'SMS' : 'email'} sent about ${by.accountExternalId}`, { stepId: step.id, data: { coveredBy: by.caseId } });
}

/** The case file packaged for an agency or the legal team is read from the projection: bring it up to date. */
export async function projectForCaseFile(run: CaseRun): Promise<void> {
  if (patchedOrCurrent('project-before-case-file')) await run.project();
}

/** Refers the case to an agency; it stays open (payments still apply) until a manager recalls it. */
export async function placeWithAgency(run: CaseRun, stepId: string, agency: string, key: string): Promise<void> {
  const { live, state } = run;
  await projectForCaseFile(run);
  const placement = await records.referToAgency({ caseId: live.caseId, stepId, idempotencyKey: key, agency, balance: state.balance, currency: live.account.currency });
  state.placement = { agency, placedAt: new Date().toISOString() };
  live.endArrangement('arrangement_cancelled', 'arrangement ended by the agency placement');
  live.suspendTimeline();
  live.record('placed', `placed with agency ${agency}; payments still apply`, { stepId, data: { placementId: placement.placementId, agency } });
}

/**
 * Runs a send the engine makes on its own account; a permanent failure marks the contact invalid
 * and is recorded instead of failing the case.
 */
export async function attempt<T>(run: CaseRun, channel: ContactChannel, send: () => Promise<T>): Promise<T | null> {
  try {
    return await send();
  } catch (error) {
    if (isCancellation(error)) throw error;
    const { type, message } = failureOf(error);
    const contact = run.state.contacts[channel];
    if (type === 'InvalidRecipient' && contact) contact.valid = false;
    run.live.record('step_failed', `${channel} failed: ${message}`, { data: { type, channel } });
    return null;
  }
}

/** The engine's own messages carry what the debtor's state requires (e.g. a time-barred debt's disclosure). */
export function withRequiredDisclosures(run: CaseRun, template: TTemplate): TTemplate {
  const required = requiredDisclosures(run.live.caseFacts());
  return required.length === 0 ? template : { ...template, body: `${template.body}\n\n${required.join('\n\n')}` };
}
