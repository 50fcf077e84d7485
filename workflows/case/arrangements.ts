import { checkArrangement } from '../../domain/arrangements.js';
import { contactWindowHold } from '../../domain/contact-rules.js';
import { formatMoney } from '../../domain/money.js';
import { timelineBranch } from '../../domain/strategy-branches.js';
import type { TTemplate } from '../../domain/strategy.js';
import type { Arrangement } from '../case-messages.js';
import { patched } from '@temporalio/workflow';
import { channelSends } from './activities.js';
import { autopayChargeAt, autopayOwes, chargeInstallment } from './autopay.js';
import type { CaseRun } from './run.js';
import { dayMs } from './state.js';
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
  const owesCharge = autopayOwes(run, arrangement, next) && patched('stripe-autopay-charges');
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
