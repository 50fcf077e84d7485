import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAttempt, recordSent } from '../../records/outbox-writes.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { seedCase } from './support/harness.js';

/**
 * The outbox's one-statement writes (records/outbox-writes.ts) on real PostgreSQL: the claim of
 * an attempt with its event, and the `sent` record with its event, as the Prisma writes they
 * replace left the row.
 */

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
});

afterAll(async () => {
  await engine?.stop();
});

async function communication(status = 'pending', extra: Record<string, unknown> = {}) {
  const seeded = await seedCase(engine.db);
  return engine.db.communication.create({
    data: { caseId: seeded.caseId, stepId: 'nudge', channel: 'sms', template: 'nudge', recipient: seeded.phone, body: 'Hi', idempotencyKey: `${seeded.caseId}/nudge`, status, ...extra },
  });
}

const eventsOf = (communicationId: string) => engine.db.communicationEvent.findMany({ where: { communicationId }, orderBy: { id: 'asc' } });

describe('claiming a send attempt', () => {
  it('marks the row sending with its attempt and time, and writes its event, in one go', async () => {
    const row = await communication();
    const before = Date.now();
    expect(await claimAttempt(engine.db, { id: row.id, attempts: 0, detail: 'attempt 1' })).toBe(true);
    const after = await engine.db.communication.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ status: 'sending', attempts: 1 });
    // Written as the UTC instant Prisma writes: read back, it is now.
    expect(Math.abs(after.sendingAt!.getTime() - before)).toBeLessThan(5_000);
    expect(after.updatedAt.getTime()).toBe(after.sendingAt!.getTime());
    const events = await eventsOf(row.id);
    expect(events).toMatchObject([{ status: 'sending', detail: 'attempt 1', source: 'activity', data: null }]);
    expect(events[0]!.at.getTime()).toBe(after.sendingAt!.getTime());
  });

  it('loses to an attempt that claimed first: no change, no event', async () => {
    const row = await communication();
    expect(await claimAttempt(engine.db, { id: row.id, attempts: 0, detail: 'attempt 1' })).toBe(true);
    // A second attempt that read the row before the first claimed it.
    expect(await claimAttempt(engine.db, { id: row.id, attempts: 0, detail: 'attempt 1 again' })).toBe(false);
    expect(await engine.db.communication.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ attempts: 1 });
    expect((await eventsOf(row.id)).map((event) => event.detail)).toEqual(['attempt 1']);
  });
});

describe('recording a send the provider accepted', () => {
  it('sets the delivery, the time and status sent, clears the error, and writes the event naming the provider', async () => {
    const row = await communication('sending', { error: 'earlier attempt timed out', attempts: 1 });
    const before = Date.now();
    await recordSent(engine.db, row.id, { provider: 'twilio', providerId: 'SM1', segments: 2, encoding: 'GSM-7', price: null }, { status: 'sent', detail: 'accepted by twilio' });
    const after = await engine.db.communication.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ status: 'sent', provider: 'twilio', providerId: 'SM1', segments: 2, encoding: 'GSM-7', price: null, error: null, attempts: 1 });
    expect(Math.abs(after.sentAt!.getTime() - before)).toBeLessThan(5_000);
    const events = await eventsOf(row.id);
    expect(events).toMatchObject([{ status: 'sent', detail: 'accepted by twilio', source: 'activity', data: { provider: 'twilio', providerId: 'SM1' } }]);
    expect(events[0]!.at.getTime()).toBe(after.sentAt!.getTime());
  });

  it('never moves back a status the provider reported first, and keeps what the delivery leaves out', async () => {
    // Twilio's status callback (delivered, with its price) can land before the send's own record.
    const row = await communication('delivered', { price: '-0.00790', priceUnit: 'USD', attempts: 1 });
    await recordSent(engine.db, row.id, { provider: 'twilio', providerId: 'SM2', segments: 1 }, { status: 'reconciled', detail: 'found' });
    const after = await engine.db.communication.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ status: 'delivered', providerId: 'SM2', segments: 1, price: '-0.00790', priceUnit: 'USD' });
    expect(after.sentAt).not.toBeNull();
    expect((await eventsOf(row.id)).map((event) => event.status)).toEqual(['reconciled']);
  });

  it('counts the communication as sent in the funnel aggregate, no longer as sending', async () => {
    const row = await communication('sending', { attempts: 1 });
    const counts = async () =>
      Object.fromEntries(
        (await engine.db.$queryRaw<{ status: string; n: number }[]>`
          SELECT f."status", f."count" AS n FROM "FunnelCommunication" f JOIN "Case" c ON c."strategyId" = f."strategyId"
          WHERE c."id" = ${row.caseId} AND f."channel" = 'sms' AND f."day" = ${row.createdAt}::date`).map((group) => [group.status, Number(group.n)]),
      );
    const before = await counts();
    await recordSent(engine.db, row.id, { provider: 'twilio', providerId: 'SM3' }, { status: 'sent', detail: 'accepted by twilio' });
    const after = await counts();
    expect((after.sent ?? 0) - (before.sent ?? 0)).toBe(1);
    expect((after.sending ?? 0) - (before.sending ?? 0)).toBe(-1);
  });
});
