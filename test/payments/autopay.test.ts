import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutopayActivities } from '../../activities/autopay.js';
import { setAutopay } from '../../api/services/autopay.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { statusQuery, type CaseStatus } from '../../workflows/case-messages.js';
import { consumerEarly, negotiationLimits } from '../support/strategies.js';

/**
 * Autopay on the real engine and the time-skipping server: a plan of three monthly installments
 * with a saved card is charged once per installment on its due date, off session, through
 * localstripe (counted there: it ignores Idempotency-Key), until the case is paid; a card that
 * declines is charged once, the decline recorded, and the plan breaks past its grace as usual.
 */

let engine: Engine;
let enrolled = 0;
const strategy = { ...consumerEarly, key: 'autopay-test', steps: [{ id: 'call', at: 'P300D', action: 'call' }], negotiation: { ...negotiationLimits, minDownPayment: 0, graceDays: 3 } };

beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping', api: true, worker: 'in-process', stripe: true, strategies: [strategy] });
});
afterAll(() => engine?.stop());

const status = (caseId: string): Promise<CaseStatus> => engine.temporal.workflow.getHandle(caseId).query(statusQuery);
const dayOf = async (plusDays: number) => new Date((await engine.testEnv.currentTimeMs()) + plusDays * 86_400_000).toISOString().slice(0, 10);
const chargesOf = async (caseId: string) => (await engine.stripe.paymentIntents()).filter((intent) => intent.metadata?.case_id === caseId && intent.metadata.channel === 'autopay');

/** A case on a plan of three monthly installments of 30,000 from `firstDue` days ahead, with autopay on a card. */
async function planWithAutopay(card: string): Promise<string> {
  const account = await engine.call('POST', '/api/v1/accounts', {
    body: { externalId: `AUTO-${++enrolled}`, strategy: 'autopay-test', currency: 'USD', balance: 90_000, debtor: { name: 'Paula Plan', email: 'paula@example.com', timeZone: 'America/New_York' } },
  });
  expect(account.status, account.text).toBe(201);
  const caseId = String(account.body.caseId);
  const plan = await engine.call('POST', `/api/v1/cases/${caseId}/outcomes`, {
    key: engine.keys.officer,
    body: { kind: 'payment_plan', downPayment: 0, installments: 3, frequency: 'monthly', firstDueDate: await dayOf(3) },
  });
  expect(plan.status, plan.text).toBe(200);
  const processor = engine.stripe.processor;
  const setup = await processor.startSaveMethod({ caseId, debtorId: 'debtor', methods: ['card'] });
  await engine.stripe.collectCard(setup.clientSecret, card);
  const saved = await processor.retrieveSavedMethod(setup.setupId);
  expect(saved).not.toBeNull();
  await setAutopay({ db: engine.db, temporal: engine.temporal, caseId, saved: saved!, processor: processor.name, actor: 'debtor:page' });
  await expect.poll(async () => (await status(caseId)).autopay?.by).toBe('debtor:page');
  return caseId;
}

describe('autopay', () => {
  it('charges each installment once on its due date until the plan is paid; a retried charge reaches the processor no more', async () => {
    const caseId = await planWithAutopay('4242424242424242');
    expect(await chargesOf(caseId)).toHaveLength(0);
    // Two days on: nothing is due yet.
    await engine.testEnv.sleep('2 days');
    expect(await chargesOf(caseId)).toHaveLength(0);

    await engine.testEnv.sleep('70 days');
    await expect.poll(async () => (await status(caseId)).status, { timeout: 30_000 }).toBe('closed');
    const final = await status(caseId);
    expect(final).toMatchObject({ closeReason: 'paid', balance: 0 });
    const charged = final.history.filter((event) => event.type === 'autopay_charged');
    expect(charged.map((event) => event.data?.seq)).toEqual([1, 2, 3]);
    const applied = final.history.filter((event) => event.type === 'payment_applied');
    expect(applied.map((event) => event.data?.amount)).toEqual([30_000, 30_000, 30_000]);

    // What reached localstripe: one PaymentIntent per installment, each succeeded, each the case's payment once.
    const intents = await chargesOf(caseId);
    expect(intents).toHaveLength(3);
    expect(intents.every((intent) => intent.status === 'succeeded')).toBe(true);
    expect(new Set(applied.map((event) => event.data?.reference))).toEqual(new Set(intents.map((intent) => intent.id)));
    const rows = await engine.db.autopayCharge.findMany({ where: { caseId }, orderBy: { seq: 'asc' } });
    expect(rows.map((row) => [row.seq, row.status])).toEqual([[1, 'succeeded'], [2, 'succeeded'], [3, 'succeeded']]);
    expect(await engine.db.paymentRequest.count({ where: { caseId } })).toBe(3);

    // The activity retried with the same key (a worker that died after the charge) answers the same payment.
    const [first] = rows;
    const again = await createAutopayActivities({ db: engine.db, payments: engine.stripe.processor }).chargeAutopayInstallment({ caseId, seq: 1, amount: 30_000, currency: 'USD', idempotencyKey: first!.idempotencyKey });
    expect(again).toMatchObject({ status: 'succeeded', paymentId: first!.paymentId });
    expect(await chargesOf(caseId)).toHaveLength(3);
  });

  it('a declined card is charged once: the decline is recorded and the plan breaks past its grace', async () => {
    const caseId = await planWithAutopay('4000000000000341');
    await engine.testEnv.sleep('10 days');
    await expect.poll(async () => (await status(caseId)).history.some((event) => event.type === 'arrangement_broken'), { timeout: 30_000 }).toBe(true);
    const after = await status(caseId);
    const declined = after.history.filter((event) => event.type === 'autopay_declined');
    expect(declined.map((event) => event.data)).toEqual([expect.objectContaining({ seq: 1, reason: expect.stringMatching(/declined/i) })]);
    expect(after.balance).toBe(90_000);
    expect(after.arrangement).toBeNull();
    expect(await chargesOf(caseId)).toHaveLength(1);
    expect((await engine.db.autopayCharge.findMany({ where: { caseId } })).map((row) => row.status)).toEqual(['failed']);
  });
});
