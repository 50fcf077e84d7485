import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitFromHistory, readCaseHistories } from '../../records/simulation-history.js';
import { startEngine, type Engine } from '../../testing/engine.js';

/**
 * The response model's history read from a real PostgreSQL read model: a case's contacts
 * (communications sent or bounced, the timeline's call tasks), payments not returned, replies,
 * a promise and how it ended, as the projection and the webhooks write them.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
});
afterAll(() => engine?.stop());

const day = 86_400_000;
const start = Date.UTC(2026, 5, 1, 15);
const at = (days: number) => new Date(start + days * day);

describe('records/simulation-history', () => {
  it('reads a case\'s history from the read model and fits a model from it', async () => {
    const { db } = engine;
    const portfolio = `sim-${randomUUID().slice(0, 8)}`;
    const accountId = randomUUID();
    const caseId = `case-${accountId}`;
    const strategy = await db.strategy.upsert({ where: { key_version: { key: 'sim-history', version: 1 } }, create: { key: 'sim-history', version: 1, name: 'Simulation history', definition: {} }, update: {} });
    const debtor = await db.debtor.create({ data: { name: 'Ana Ruiz', timeZone: 'America/Chicago' } });
    await db.account.create({ data: { id: accountId, externalId: `ACC-${accountId.slice(0, 8)}`, debtorId: debtor.id, currency: 'USD', originalBalance: 100_000, balance: 0, daysPastDue: 30, portfolio } });
    await db.case.create({ data: { id: caseId, accountId, strategyId: strategy.id, balance: 0, currency: 'USD', startedAt: at(0), status: 'closed', closeReason: 'paid', closedAt: at(70) } });
    const communication = (stepId: string, channel: string, days: number, status: string) => ({
      caseId, stepId, channel, template: stepId, recipient: 'x', body: 'b', idempotencyKey: `${caseId}/${stepId}`, status, createdAt: at(days), sentAt: at(days),
    });
    await db.communication.createMany({ data: [communication('reminder', 'email', 0, 'delivered'), communication('nudge', 'sms', 3, 'bounced'), communication('letter', 'letter', 10, 'sent')] });
    await db.task.create({ data: { caseId, kind: 'call', stepId: 'call', idempotencyKey: `${caseId}/call`, createdAt: at(14) } });
    await db.payment.createMany({
      data: [
        { caseId, reference: 'P1', amount: 25_000, currency: 'USD', receivedAt: at(2) },
        { caseId, reference: 'P2', amount: 75_000, currency: 'USD', receivedAt: at(70) },
        { caseId, reference: 'P3', amount: 5_000, currency: 'USD', receivedAt: at(5), reversedAt: at(9) },
      ],
    });
    await db.inboundMessage.create({ data: { providerKey: `twilio:${randomUUID()}`, channel: 'sms', kind: 'keyword', caseId, fromAddress: '+15555550100', text: 'STOP', intent: 'stop', receivedAt: at(12) } });
    await db.auditEvent.createMany({
      data: [
        { caseId, actor: 'workflow', action: 'arrangement_made', at: at(15), data: { kind: 'promise' } },
        { caseId, actor: 'workflow', action: 'arrangement_broken', at: at(25), data: { kind: 'promise' } },
      ],
    });

    const histories = await readCaseHistories(db, { from: at(-1), to: at(90), portfolio });
    expect(histories).toHaveLength(1);
    const [history] = histories;
    expect(history).toMatchObject({ balance: 100_000, daysPastDue: 30, startedAt: start, endedAt: at(70).getTime(), promises: [{ at: at(15).getTime(), kept: false }], disputes: [] });
    expect(history?.contacts.sort((a, b) => a.at - b.at)).toEqual([
      { at: start, action: 'email', bounced: false },
      { at: at(3).getTime(), action: 'sms', bounced: true },
      { at: at(10).getTime(), action: 'letter', bounced: false },
      { at: at(14).getTime(), action: 'call', bounced: false },
    ]);
    // The returned payment is not counted.
    expect(history?.payments.sort((a, b) => a.at - b.at)).toEqual([{ at: at(2).getTime(), amount: 25_000 }, { at: at(70).getTime(), amount: 75_000 }]);
    expect(history?.replies).toEqual([{ at: at(12).getTime(), intent: 'stop' }]);

    const model = await fitFromHistory(db, { from: at(-1), to: at(90), portfolio, name: 'from history', version: 1, responseWindowDays: 7, priorStrength: 0 });
    expect(model.fittedFrom).toEqual({ from: at(-1).toISOString(), to: at(90).toISOString(), cases: 1 });
    // Four contacts: a part payment, a bounce, an opt-out, a broken promise; one payment in full no contact explains.
    expect(model.base).toMatchObject({ pay_part: 0.25, bounce: 0.25, opt_out: 0.25, promise_broken: 0.25, pay_full: 0 });
    expect(model.backgroundDailyPayFull).toBeCloseTo(1 / 70);
  });
});
