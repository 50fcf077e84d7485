import { patchedOrCurrent } from '../patches.js';
import { checkArrangement } from '../../domain/arrangements.js';
import { contactWindowHold } from '../../domain/contact-rules.js';
import { formatMoney } from '../../domain/money.js';
import { timelineBranch } from '../../domain/strategy-branches.js';
import type { TTemplate } from '../../domain/strategy.js';
import type { Installment } from '../../domain/arrangements.js';
import type { Arrangement, ArrangementChange } from '../case-messages.js';
import { channelSends } from './activities.js';
import { autopayChargeAt, autopayOwes, chargeInstallment } from './autopay.js';
import type { CaseRun } from './run.js';
import { dayMs, type LiveCase } from './state.js';
import { attempt, withRequiredDisclosures } from './steps.js';

/** Built-in text of the reminder the engine sends before an installment is due. */
const reminderTemplate = (amount: string, date: string): TTemplate => ({
  channel: 'email',
  subject: `Reminder: ${amount} is due on ${date}`,
  body:
    `Hello {{debtor.name}},\n\nA reminder: ${amount} is due on ${date} under the arrangement you agreed with us ` +
    'for account {{account.externalId}}.\n\nThis is a communication from a debt collector. Reply STOP to opt out.',
});

/** Watches an active arrangement: reminders before due dates, kept when paid, broken past grace. */
export async function monitorArrangement(run: CaseRun, arrangement: Arrangement): Promise<void> {
  const { live, state } = run;
  const { account, policy, strategy } = live;
  const now = Date.now();
  const check = checkArrangement(arrangement.installments, arrangement.paidTotal, arrangement.graceDays, now);
  if (check.kind === 'kept') {
    live.endArrangement('arrangement_kept', `${arrangement.kind} kept`);
    live.resumeTimeline();
    return;
  }
  if (check.kind === 'broken') {
    const { installment } = check;
    live.endArrangement('arrangement_broken', `${arrangement.kind} broken: ${formatMoney(installment.amount - installment.paid, account.currency)} due ${installment.dueDate} unpaid after ${arrangement.graceDays} days' grace`);
    live.sideEffects.push({ kind: 'task', task: { kind: 'broken_promise', reason: `broken ${arrangement.kind}: call the debtor` } });
    if (live.walksTimeline) {
      live.takeBranch(timelineBranch(strategy.definition, 'brokenPromise'), `broken ${arrangement.kind}`);
    } else if (policy.onBroken === 'escalate_agency') {
      live.sideEffects.push({ kind: 'agency', reason: 'broken arrangement' });
      live.resumeTimeline();
    } else {
      live.resumeTimeline(policy.onBroken);
    }
    return;
  }
  const { next } = check;
  // Autopay is set only by its own signal, so cases without it never reach this patch.
  const autopayAt = autopayChargeAt(next.dueDate);
  const owesCharge = autopayOwes(run, arrangement, next) && patchedOrCurrent('stripe-autopay-charges');
  if (owesCharge && now >= autopayAt) {
    await chargeInstallment(run, arrangement, next);
    return;
  }
  const due = Date.parse(`${next.dueDate}T00:00:00Z`);
  const remindAt = due - policy.reminderDaysBefore * dayMs;
  const owed = formatMoney(next.amount - next.paid, account.currency);
  const email = state.contacts.email;
  const canRemind = !arrangement.remindersSent.includes(next.seq) && email?.valid && !email.optedOut && !state.ceased;
  if (canRemind && now >= remindAt) {
    const hold = contactWindowHold(now, account.debtor.timeZone, strategy.definition.contact.allowedHours);
    if (hold && hold.until < next.deadline) {
      await run.waitUntil(hold.until, `reminder for ${next.dueDate} ${hold.reason}`);
      return;
    }
    arrangement.remindersSent.push(next.seq);
    if (!hold) {
      const sent = await attempt(run, 'email', () =>
        channelSends.email({ caseId: live.caseId, stepId: `reminder-${next.seq}`, idempotencyKey: run.idempotencyKey(`reminder-${state.seq}-${next.seq}`), templateKey: 'arrangement-reminder', template: withRequiredDisclosures(run, reminderTemplate(owed, next.dueDate)), to: email.address, account: live.templateAccount(), compliance: live.contentFacts() }),
      );
      if (sent) live.record('reminder_sent', `reminder sent: ${owed} due ${next.dueDate}`, { data: { seq: next.seq, communicationId: sent.communicationId } });
    }
    return;
  }
  const until = canRemind ? remindAt : owesCharge ? Math.min(autopayAt, next.deadline) : next.deadline;
  await run.waitUntil(until, `${arrangement.kind}: ${owed} due ${next.dueDate}${canRemind ? ', reminder first' : owesCharge ? ', charged by autopay that day' : ''}`);
}

/*
 * Account servicing (patch `servicing-arrangement-changes`, asked by the outcome handler): an
 * officer amends, reschedules or cancels the arrangement in force with a reason; a change above
 * the officer's authority waits for a manager while the terms in force still apply, as a new plan
 * or settlement above it does.
 */

const kindName = (kind: Arrangement['kind']) => (kind === 'plan' ? 'payment plan' : kind);

/** Amends or reschedules the arrangement in force, or asks a manager first. */
export function changeArrangement(
  live: LiveCase,
  { change, installments, by, reason, needsApproval }: { change: ArrangementChange['change']; installments: Installment[]; by: string; reason: string; needsApproval: boolean },
): void {
  const arrangement = live.state.arrangement;
  if (!arrangement) return;
  const what = change === 'amend' ? 'amended' : 'rescheduled';
  if (needsApproval) {
    arrangement.pendingChange = { change, installments, by, reason, requestedAt: new Date(live.now()).toISOString() };
    live.record('arrangement_changed', `${kindName(arrangement.kind)} ${what} by ${by}, waiting for a manager: ${reason}`, { data: { kind: arrangement.kind, change, reason, by, installments, needsApproval: true } });
    live.sideEffects.push({ kind: 'task', task: { kind: 'approval', reason: `${kindName(arrangement.kind)} ${what} above officer authority by ${by}` } });
    return;
  }
  adoptSchedule(arrangement, installments);
  live.record('arrangement_changed', `${kindName(arrangement.kind)} ${what} by ${by}: ${reason}`, { data: { kind: arrangement.kind, change, reason, by, installments } });
}

/** A manager decides what waits for approval: a new plan or settlement, or a change to one. */
export function decideArrangement(live: LiveCase, { approve, by, note }: { approve: boolean; by: string; note?: string | undefined }): void {
  const arrangement = live.state.arrangement;
  if (!arrangement) return;
  const name = kindName(arrangement.kind);
  const noted = note ? `: ${note}` : '';
  if (arrangement.status === 'pending_approval') {
    if (approve) {
      arrangement.status = 'active';
      live.record('arrangement_made', `${name} approved by ${by}${noted}`, { data: { kind: arrangement.kind, approvedBy: by } });
    } else {
      live.endArrangement('arrangement_cancelled', `${name} rejected by ${by}${noted}`, { by, reason: note ?? 'rejected by a manager' });
      live.resumeTimeline();
    }
    return;
  }
  const pending = arrangement.pendingChange;
  if (!pending) return;
  arrangement.pendingChange = null;
  const what = pending.change === 'amend' ? 'amendment' : 'new schedule';
  if (approve) adoptSchedule(arrangement, pending.installments);
  live.record('arrangement_changed', `${what} of the ${name} ${approve ? 'approved' : 'rejected'} by ${by}${noted}`, {
    data: { kind: arrangement.kind, change: pending.change, reason: pending.reason, by: pending.by, ...(approve ? { installments: pending.installments, approvedBy: by } : { rejectedBy: by }) },
  });
}

/** Ends the arrangement at an officer's word; the timeline resumes where it stood. */
export function cancelArrangement(live: LiveCase, { by, reason }: { by: string; reason: string }): void {
  const arrangement = live.state.arrangement;
  if (!arrangement) return;
  live.endArrangement('arrangement_cancelled', `${kindName(arrangement.kind)} cancelled by ${by}: ${reason}`, { by, reason });
  live.resumeTimeline();
}

/** The new terms; reminders go again for the new dates (they are keyed by installment number). */
function adoptSchedule(arrangement: Arrangement, installments: Installment[]): void {
  arrangement.installments = installments;
  arrangement.remindersSent = [];
}
