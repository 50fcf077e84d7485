import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { InstallmentStanding } from '../../domain/arrangements.js';
import { formatMoney } from '../../domain/money.js';
import type { Arrangement } from '../case-messages.js';
import { failureOf } from './activities.js';
import type { CaseRun } from './run.js';

/**
 * Autopay (patch `stripe-autopay-charges`): while it is on, each installment of an active
 * arrangement is charged off session once, at noon UTC on its due date (the same calendar day in
 * every US zone). A declined charge is recorded and the installment follows the arrangement's
 * usual rules (grace, then broken); it is never charged a second time.
 */

/** Off-session charges: the processor's outages retry for about an hour, then the charge counts as failed. */
const charges = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '15 minutes', maximumAttempts: 8, nonRetryableErrorTypes: ['PaymentRequestRefused'] },
});

/** When autopay charges an installment due on `dueDate` (YYYY-MM-DD). */
export function autopayChargeAt(dueDate: string): number {
  return Date.parse(`${dueDate}T12:00:00Z`);
}

/** Whether autopay still owes `next` its charge. */
export function autopayOwes(run: CaseRun, arrangement: Arrangement, next: InstallmentStanding): boolean {
  return Boolean(run.state.autopay) && arrangement.status === 'active' && !(arrangement.autopayCharged ?? []).includes(next.seq);
}

/**
 * The processor's idempotency key of an installment's charge: the case, the arrangement (its
 * agreement instant, so a later plan's first installment is a new charge) and the installment.
 */
export function autopayKey(caseId: string, arrangement: Arrangement, seq: number): string {
  return `autopay:${caseId}:${Date.parse(arrangement.agreedAt)}:${seq}`;
}

/** Charges `next` once; a success is applied as the case's payment (reference = the PaymentIntent). */
export async function chargeInstallment(run: CaseRun, arrangement: Arrangement, next: InstallmentStanding): Promise<void> {
  const { live } = run;
  const owed = next.amount - next.paid;
  const money = formatMoney(owed, live.account.currency);
  // Marked before the call: whatever happens next, this installment is never charged again.
  arrangement.autopayCharged = [...(arrangement.autopayCharged ?? []), next.seq];
  let result;
  try {
    result = await charges.chargeAutopayInstallment({ caseId: live.caseId, seq: next.seq, amount: owed, currency: live.account.currency, idempotencyKey: autopayKey(live.caseId, arrangement, next.seq) });
  } catch (error) {
    if (isCancellation(error)) throw error;
    const reason = failureOf(error).message;
    live.record('autopay_declined', `autopay could not charge ${money} due ${next.dueDate}: ${reason}`, { data: { seq: next.seq, paymentId: null, reason } });
    return;
  }
  if (result.status === 'failed') {
    live.record('autopay_declined', `autopay charge of ${money} due ${next.dueDate} declined: ${result.reason}`, { data: { seq: next.seq, paymentId: result.paymentId, reason: result.reason } });
    return;
  }
  const detail = result.status === 'succeeded' ? 'charged' : 'charged; the bank confirms it later';
  live.record('autopay_charged', `autopay ${detail}: ${money} due ${next.dueDate} (${result.paymentId})`, {
    data: { seq: next.seq, paymentId: result.paymentId, amount: result.amount, status: result.status },
  });
  if (result.status === 'succeeded') live.receivePayment({ reference: result.paymentId, amount: result.amount, currency: result.currency, receivedAt: new Date(Date.now()).toISOString() });
}
