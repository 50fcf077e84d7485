import { isCancellation } from '@temporalio/workflow';
import type { TTemplate } from '../../domain/strategy.js';
import { channelSends, failureOf, records } from './activities.js';
import { tellPerson, tellPersonOfContact } from './person.js';
import type { CaseRun } from './run.js';
import { attempt, placeWithAgency, projectForCaseFile, withRequiredDisclosures } from './steps.js';
import { sendGeneratedVerification } from './validation-notice.js';

/** The work handlers queue for the loop (they must stay synchronous): tasks, agency referrals, verification notices. */

const verificationTemplate: TTemplate = {
  channel: 'letter',
  body:
    'Dear {{debtor.name}},\n\nYou disputed the debt on account {{account.externalId}}. We have verified it: the amount owed is ' +
    '{{balance}}. This letter is the verification of the debt.\n\nThis is a communication from a debt collector.',
};

/** Runs the queued work in order, and whatever that work queues in turn. */
export async function runSideEffects(run: CaseRun): Promise<void> {
  const { live, state } = run;
  while (live.sideEffects.length > 0) {
    const effects = live.sideEffects;
    live.sideEffects = [];
    for (const effect of effects) {
      const key = run.idempotencyKey(`${effect.kind}-${state.seq}-${effects.indexOf(effect)}`);
      if (effect.kind === 'task') {
        if (effect.task.kind === 'legal_review') await projectForCaseFile(run);
        const task = await records.createTask({ caseId: live.caseId, idempotencyKey: key, ...effect.task, balance: state.balance, daysPastDue: live.daysPastDue() });
        live.record('task_created', `${effect.task.kind.replace('_', ' ')} task: ${effect.task.reason}`, { data: { taskId: task.taskId, kind: effect.task.kind } });
      } else if (effect.kind === 'agency') {
        if (!state.placement && state.status !== 'closed') {
          // An agency that refuses the referral for good must not fail the case: a person takes it up.
          try {
            await placeWithAgency(run, 'escalation', effect.agency ?? 'default', key);
          } catch (error) {
            if (isCancellation(error)) throw error;
            live.record('step_failed', `agency referral failed: ${failureOf(error).message}`, { stepId: 'escalation' });
            live.sideEffects.push({ kind: 'task', task: { kind: 'escalation', reason: `the agency refused the referral (${effect.reason}): place the case by hand` } });
          }
        }
      } else if (effect.kind === 'person') {
        // The read model first, in the task that took the change, as for any other signal: the
        // person's round trip must not open a moment in which the case says more than the database.
        if (live.unprojected.length > 0) await run.project();
        await tellPerson(run, effect.change);
      } else if (effect.kind === 'personContact') {
        if (live.unprojected.length > 0) await run.project();
        await tellPersonOfContact(run, effect.contact);
      } else if (!(await sendGeneratedVerification(run, key, effect.originalCreditor))) {
        await sendNotice(run, 'verification', verificationTemplate, key);
      }
    }
  }
}

/** A letter (or, without a postal address, an email) the engine sends on its own account. */
async function sendNotice(run: CaseRun, name: string, template: TTemplate, key: string): Promise<void> {
  const { live } = run;
  const letter = live.state.contacts.letter;
  const email = live.state.contacts.email;
  const via = letter?.valid
    ? { send: channelSends.letter, to: letter.address, template }
    : email?.valid
      ? { send: channelSends.email, to: email.address, template: { ...template, channel: 'email' as const, subject: 'Verification of your debt' } }
      : null;
  if (!via) {
    live.sideEffects.push({ kind: 'task', task: { kind: 'notice', reason: `no address to send the ${name} notice to` } });
    return;
  }
  const sent = await attempt(run, via.template.channel, () =>
    via.send({ caseId: live.caseId, stepId: name, idempotencyKey: key, templateKey: name, template: withRequiredDisclosures(run, via.template), to: via.to, account: live.templateAccount(), compliance: live.contentFacts() }),
  );
  if (sent) live.record('step_done', `${name} notice sent`, { stepId: name, data: { communicationId: sent.communicationId } });
}
