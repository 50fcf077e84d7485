import { patchedOrCurrent } from '../patches.js';
import { DateTime } from 'luxon';
import { candidateZones } from '../../domain/case-facts.js';
import { itemize, type LedgerEntry } from '../../domain/ledger/ledger.js';
import type { Regime } from '../../domain/portfolio.js';
import { evaluateContact, requiredDisclosures } from '../../domain/regulation/index.js';
import { validationPeriodEnd } from '../../domain/regulation/validation-notice.js';
import { sends } from './activities.js';
import type { CaseRun } from './run.js';
import type { LiveCase } from './state.js';
import { attempt } from './steps.js';

/**
 * The engine-generated validation notice (12 CFR 1006.34): under a collector's regime (third-party
 * collector, debt buyer) the case sends it as its initial communication, before the timeline's
 * first step, from its own ledger: by email where the person consented to electronic delivery
 * (E-SIGN consent on the email contact), otherwise by letter. Sending it records
 * `validation_notice_sent` as a template that carries the notice does, and the validation period
 * runs from it. The strategy may turn it off (`contact.validationNotice.generate: false`); lint
 * then asks for a template that carries it first.
 */

/** Regimes under which a collector must give validation information, so the engine generates it by default. */
export const noticeRegimes: readonly Regime[] = ['third_party', 'debt_buyer'];

/** The step id the notice's communication and events carry. */
export const validationNoticeStepId = 'validation-notice';

const isoDate = (at: number, zone = 'UTC') => DateTime.fromMillis(at, { zone }).toISODate() ?? '';

/**
 * The case's ledger, as the notice and the verification itemize it: the account ledger of cases
 * that keep one (patch 'ledger-entries'), with the interest accrued through today posted first so
 * the notice says what is owed today; for older cases one itemization entry (the account's
 * balance as placed, all principal, dated the case start) and what changed since as one
 * adjustment, so the amount now is always the case's balance.
 */
export function caseLedger(live: LiveCase): LedgerEntry[] {
  const ledger = live.accountLedger;
  if (ledger) {
    ledger.accrueInterest();
    return [...ledger.entries];
  }
  const opening: LedgerEntry = { kind: 'itemization', id: 'itemization', on: isoDate(live.startedAt), postedBy: 'enrollment', parts: { principal: live.account.balance, interest: 0, fees: 0 } };
  const change = live.state.balance - live.account.balance;
  if (change === 0) return [opening];
  return [opening, { kind: 'adjustment', id: 'since-enrollment', on: isoDate(live.now()), postedBy: 'case', amount: change, reason: 'payments, reversals and corrections since enrollment' }];
}

/** What the notice and the verification say about the account: the consumer, the account, the itemization from the ledger. */
function noticeFacts(live: LiveCase) {
  return { consumer: { name: live.account.debtor.name }, accountNumber: live.account.externalId, currency: live.account.currency, itemization: itemize(caseLedger(live)) };
}

/** Whether this case's portfolio and strategy call for the generated notice. */
export function generatesValidationNotice(live: LiveCase): boolean {
  const { regime } = live.account;
  return regime !== undefined && noticeRegimes.includes(regime) && live.strategy.definition.contact.validationNotice?.generate !== false;
}

/** How the notice can reach the debtor: email with E-SIGN consent, else the postal address; null when neither. */
function noticeRoutes(live: LiveCase): { channel: 'email' | 'letter'; to: string }[] {
  const { email, letter } = live.state.contacts;
  const routes: { channel: 'email' | 'letter'; to: string }[] = [];
  if (email?.valid && !email.optedOut && email.consent) routes.push({ channel: 'email', to: email.address });
  if (letter?.valid) routes.push({ channel: 'letter', to: letter.address });
  return routes;
}

/**
 * Sends the generated notice before anything else, unless the case already made a communication
 * (a carried-over run, a notice sent outside the engine). Waits while the contact rules hold the
 * email (the debtor's local hours); a barred email falls back to the letter. With no way to reach
 * the debtor (no address, every channel refused) an officer gets one task and the case holds
 * collection until the notice is sent ({@link holdForValidationNotice}); cases from before
 * 'validation-notice-holds' got the task and went on with their timeline.
 */
export async function sendGeneratedValidationNotice(run: CaseRun): Promise<void> {
  const { live } = run;
  const history = live.state.compliance?.history;
  const communicated = (at: number | null | undefined) => at !== null && at !== undefined;
  if (!generatesValidationNotice(live) || communicated(history?.validationNoticeSentAt) || communicated(history?.firstCommunicationAt)) return;
  if (!patchedOrCurrent('generated-validation-notice')) return;
  await tryValidationNotice(run);
}

/** Why the timeline waits while the notice cannot be sent. */
const unsentWhy = 'validation notice not sent: no postal address or email with consent to electronic delivery, or every channel refused it; no collection contact until it is sent (12 CFR 1006.34)';

/** Every route in turn, until the notice is sent or none is left. */
async function tryValidationNotice(run: CaseRun): Promise<void> {
  const { live } = run;
  const barred = new Set<string>();
  for (;;) {
    if (live.state.status === 'closed') return;
    const route = noticeRoutes(live).find((each) => !barred.has(each.channel));
    if (!route) {
      noNoticeRoute(run);
      return;
    }
    const verdict = evaluateContact({ channel: route.channel, action: 'validation_notice', now: Date.now(), facts: live.caseFacts(), policy: live.contactPolicy });
    if (verdict.kind === 'barred') {
      barred.add(route.channel);
      live.record('step_skipped', `validation notice by ${route.channel} not sent: ${verdict.reason}`, { stepId: validationNoticeStepId });
      continue;
    }
    if (verdict.kind === 'held') {
      await run.waitUntil(verdict.until, `validation notice by ${route.channel}: ${verdict.reason}`);
      continue;
    }
    if (await sendNotice(run, route)) {
      live.state.validationNoticeUnsent = null;
      return;
    }
    barred.add(route.channel);
  }
}

/** No route carries the notice: one task for an officer, whatever the runs and the retries, and collection holds. */
function noNoticeRoute(run: CaseRun): void {
  const { live } = run;
  const task = { kind: 'notice', reason: 'no address or consented email to send the validation notice to: send it by hand and record it' } as const;
  if (!patchedOrCurrent('validation-notice-holds')) {
    live.sideEffects.push({ kind: 'task', task });
    return;
  }
  if (live.state.validationNoticeUnsent) return;
  live.state.validationNoticeUnsent = { since: new Date(live.now()).toISOString() };
  live.record('step_skipped', unsentWhy, { stepId: validationNoticeStepId });
  live.sideEffects.push({ kind: 'task', task: { kind: 'notice', reason: 'no address or consented email to send the validation notice to, or every channel refused it: add an address or send it by hand and record it; collection waits until then' } });
}

/**
 * The loop's hold while the generated notice could not be sent: waits for a change (a new
 * address, consent to electronic delivery, the notice recorded as sent by hand, the case closed),
 * then tries again. Returns true when it waited, so the loop plans anew.
 */
export async function holdForValidationNotice(run: CaseRun): Promise<boolean> {
  const { state } = run.live;
  if (!state.validationNoticeUnsent) return false;
  const sentAt = state.compliance?.history?.validationNoticeSentAt;
  if (state.status === 'closed' || (sentAt !== null && sentAt !== undefined)) {
    state.validationNoticeUnsent = null;
    return false;
  }
  await run.waitUntil(null, unsentWhy);
  await tryValidationNotice(run);
  return true;
}

/** One attempt on one route; true once the notice is sent. */
async function sendNotice(run: CaseRun, route: { channel: 'email' | 'letter'; to: string }): Promise<boolean> {
  const { live } = run;
  const now = Date.now();
  const facts = live.caseFacts();
  const zones = candidateZones(facts);
  const safetyMarginDays = live.contactPolicy.validationNotice?.safetyMarginDays ?? 0;
  const periodEnd = validationPeriodEnd({ validationNoticeSentAt: now }, zones, safetyMarginDays) ?? now;
  const sent = await attempt(run, route.channel, () =>
    sends.sendValidationNotice({
      caseId: live.caseId,
      stepId: validationNoticeStepId,
      idempotencyKey: run.idempotencyKey(validationNoticeStepId),
      channel: route.channel,
      to: route.to,
      notice: { ...noticeFacts(live), validationPeriodEnds: isoDate(periodEnd, zones[0]) },
      disclosures: requiredDisclosures(facts),
      compliance: live.contentFacts(),
    }),
  );
  if (!sent) return false;
  live.state.lastSent = { ...live.state.lastSent, [route.channel]: validationNoticeStepId };
  live.comply({ type: 'message_sent', channel: route.channel, at: now, validationNotice: true });
  live.record('step_done', `validation notice sent by ${route.channel}`, { stepId: validationNoticeStepId, data: { communicationId: sent.communicationId, duplicate: sent.duplicate } });
  // The person counts it among its contacts (its caps), as an officer's call.
  if (live.personGrants) {
    live.sideEffects.push({ kind: 'personContact', contact: { grantId: `notice:${live.caseId}`, caseId: live.caseId, debtGroup: live.debtGroup(), medium: route.channel, at: now } });
  }
  return true;
}

/**
 * The answer to a dispute or an original-creditor request, generated from the case's ledger: the
 * itemization, where the documents that show the debt are kept, and the original creditor when
 * asked. By letter, else by email where the person consented to electronic delivery; with
 * neither, an officer gets a task. Cases from before 'generated-verification' send the old letter.
 */
export async function sendGeneratedVerification(run: CaseRun, key: string, originalCreditor: string | undefined): Promise<boolean> {
  if (!patchedOrCurrent('generated-verification')) return false;
  const { live } = run;
  const route = noticeRoutes(live).sort((a, b) => (a.channel === 'letter' ? -1 : b.channel === 'letter' ? 1 : 0))[0];
  const name = originalCreditor ? 'original creditor' : 'verification';
  if (!route) {
    live.sideEffects.push({ kind: 'task', task: { kind: 'notice', reason: `no address or consented email to send the ${name} answer to: send it by hand` } });
    return true;
  }
  const facts = live.caseFacts();
  const sent = await attempt(run, route.channel, () =>
    sends.sendVerification({
      caseId: live.caseId,
      stepId: 'verification',
      idempotencyKey: key,
      channel: route.channel,
      to: route.to,
      notice: { ...noticeFacts(live), documentsReference: live.caseId, ...(originalCreditor ? { originalCreditor } : {}) },
      disclosures: requiredDisclosures(facts),
      compliance: live.contentFacts(),
    }),
  );
  if (sent) live.record('step_done', `${name} answer sent by ${route.channel}`, { stepId: 'verification', data: { communicationId: sent.communicationId, duplicate: sent.duplicate } });
  return true;
}

