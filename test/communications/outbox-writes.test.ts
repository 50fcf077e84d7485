import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAttempt, openCommunication, recordSent } from '../../records/outbox-writes.js';
import { sendProfile } from '../../records/send-profile.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { seedCase } from './support/harness.js';

/**
 * What a send reads and writes, each in one statement, on real PostgreSQL: the case's profile with
 * the contact's standing (records/send-profile.ts), and the outbox's writes
 * (records/outbox-writes.ts): the row opened once, the claim of an attempt with its event, and the
 * `sent` record with its event, as the Prisma writes they replace left the row.
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

describe('opening the outbox row', () => {
  it('writes it pending once; a retry gets the row as the first attempt left it', async () => {
    const seeded = await seedCase(engine.db);
    const fresh = { id: `comm-${seeded.caseId}`, caseId: seeded.caseId, stepId: 'nudge', idempotencyKey: `${seeded.caseId}/open`, channel: 'sms', template: 'nudge', recipient: seeded.phone, body: 'Hi', templateVersion: 3 };
    const first = await openCommunication(engine.db, fresh);
    expect(first).toMatchObject({ id: fresh.id, status: 'pending', attempts: 0, sentAt: null, sendingAt: null, error: null, providerId: null });
    expect(Math.abs(first.createdAt.getTime() - Date.now())).toBeLessThan(5_000);
    expect(await engine.db.communication.findUniqueOrThrow({ where: { id: fresh.id } })).toMatchObject({ body: 'Hi', subject: null, html: null, templateVersion: 3, templateLanguage: null });

    expect(await claimAttempt(engine.db, { id: fresh.id, attempts: 0, detail: 'attempt 1' })).toBe(true);
    const again = await openCommunication(engine.db, { ...fresh, body: 'rendered again' });
    expect(again).toMatchObject({ id: fresh.id, status: 'sending', attempts: 1, createdAt: first.createdAt });
    expect(await engine.db.communication.count({ where: { idempotencyKey: fresh.idempotencyKey } })).toBe(1);
    expect((await engine.db.communication.findUniqueOrThrow({ where: { id: fresh.id } })).body).toBe('Hi');
  });
});

describe("a send's profile of its case", () => {
  it("reads the debtor's language and state, the account's time-bar, and only the asked contact's standing", async () => {
    const seeded = await seedCase(engine.db, { phone: '+15555550177' });
    await engine.db.debtor.update({ where: { id: seeded.debtorId }, data: { language: 'es', state: 'NY' } });
    await engine.db.account.update({ where: { id: seeded.accountId }, data: { timeBarred: true } });
    const optedOutAt = new Date('2026-11-30T14:15:16.789Z');
    await engine.db.contact.updateMany({ where: { debtorId: seeded.debtorId, channel: 'sms' }, data: { optedOutAt, optOutSource: 'sms STOP' } });

    const sms = await sendProfile(engine.db, seeded.caseId, { channel: 'sms', value: seeded.phone });
    expect(sms).toEqual({ timeBarred: true, language: 'es', state: 'NY', contacts: [{ consent: true, optedOutAt, optOutSource: 'sms STOP', status: 'valid' }] });
    expect((await sendProfile(engine.db, seeded.caseId, { channel: 'sms', value: '+15555550000' }))?.contacts).toEqual([]);
    expect((await sendProfile(engine.db, seeded.caseId))?.contacts).toEqual([]);
    expect(await sendProfile(engine.db, 'case-none')).toBeNull();
  });
});
