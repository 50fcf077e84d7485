import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../lib/db.js';
import { PaymentRequestRefused, type PaymentProcessor, type PaymentSnapshot } from '../payments/processor.js';
import type { AutopayChargeResult } from '../workflows/case-messages.js';

export interface ChargeAutopayInstallment {
  caseId: string;
  /** The installment's seq in its arrangement. */
  seq: number;
  /** Minor units still owed on the installment. */
  amount: number;
  currency: string;
  /** From the case, its arrangement and the installment (workflows/case/autopay.ts): the same on every retry. */
  idempotencyKey: string;
}

/**
 * Autopay's off-session charge of an installment. The charge row (AutopayCharge, keyed by the
 * idempotency key) is written before the processor is called and holds the PaymentIntent once it
 * answers, so a retry asks about that payment instead of charging again; Stripe's Idempotency-Key
 * covers an attempt that died between the call and the row. A succeeded charge is also recorded as
 * the case's payment request (reference = the PaymentIntent), so its webhook, arriving before or
 * after, is the same payment.
 */
export function createAutopayActivities({ db, payments }: { db: Db; payments?: PaymentProcessor | undefined }) {
  async function finish(input: ChargeAutopayInstallment, snapshot: PaymentSnapshot): Promise<AutopayChargeResult> {
    const status = snapshot.state === 'succeeded' || snapshot.state === 'processing' ? snapshot.state : 'failed';
    const failureReason = status === 'failed' ? (snapshot.failureReason ?? `the payment is ${snapshot.state}`) : null;
    await db.autopayCharge.update({ where: { idempotencyKey: input.idempotencyKey }, data: { paymentId: snapshot.paymentId, status, failureReason } });
    if (status === 'failed') return { status, paymentId: snapshot.paymentId, reason: failureReason ?? 'declined' };
    if (status === 'succeeded') {
      await db.$executeRaw`
        INSERT INTO "PaymentRequest" ("caseId", "reference", "amount", "currency", "receivedAt", "actor")
        VALUES (${input.caseId}, ${snapshot.paymentId}, ${snapshot.amount}, ${snapshot.currency}, ${new Date()}, ${'autopay'})
        ON CONFLICT DO NOTHING`;
    }
    return { status, paymentId: snapshot.paymentId, amount: snapshot.amount, currency: snapshot.currency };
  }

  return {
    async chargeAutopayInstallment(input: ChargeAutopayInstallment): Promise<AutopayChargeResult> {
      if (!payments) return { status: 'failed', paymentId: null, reason: 'no payment processor is configured (STRIPE_SECRET_KEY)' };
      const autopay = await db.caseAutopay.findUnique({ where: { caseId: input.caseId } });
      if (!autopay || autopay.cancelledAt) return { status: 'failed', paymentId: null, reason: 'autopay is not set for this case' };
      try {
        const earlier = await db.autopayCharge.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
        if (earlier?.paymentId) return await finish(input, await payments.retrievePayment(earlier.paymentId));
        if (!earlier) {
          await db.autopayCharge.create({ data: { idempotencyKey: input.idempotencyKey, caseId: input.caseId, seq: input.seq, amount: input.amount, currency: input.currency, status: 'starting' } });
        }
        const snapshot = await payments.chargeSaved({
          caseId: input.caseId,
          customerId: autopay.customerId,
          paymentMethodId: autopay.paymentMethodId,
          amount: input.amount,
          currency: input.currency,
          idempotencyKey: input.idempotencyKey,
        });
        return await finish(input, snapshot);
      } catch (error) {
        // The processor refusing the request itself (a method it no longer knows) is not an outage: retrying changes nothing.
        if (error instanceof PaymentRequestRefused) throw ApplicationFailure.nonRetryable(error.message, 'PaymentRequestRefused');
        throw error;
      }
    },
  };
}
