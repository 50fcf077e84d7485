import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionDisclosure } from '../../domain/disclosures.js';
import { statusQuery, type CaseStatus } from '../../workflows/case-messages.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { daytimeAddress } from '../../testing/midday-zone.js';

/**
 * A returned letter in a real case (Temporal dev server, the case workflow, PostgreSQL, SMTP on
 * loopback): reported through the API, it marks the postal address invalid, the case records it,
 * and the letter step's fallback email reaches the debtor. Reported twice, it counts once.
 */

let engine: Engine;

const strategy = {
  key: 'letter-returns',
  name: 'Letter first, email when it comes back',
  templates: {
    demand: { channel: 'letter', body: `Dear {{debtor.name}}, please pay {{balance}}. ${collectionDisclosure.en}` },
    'after-return': {
      channel: 'email',
      subject: 'We could not reach you by post',
      body: `Hello {{debtor.name}}, our letter about {{balance}} came back.\n\n${collectionDisclosure.en}\n\nUnsubscribe: {{unsubscribeUrl}}`,
    },
  },
  steps: [
    { id: 'letter', at: 'PT0S', action: 'letter', template: 'demand', fallback: { action: 'email', template: 'after-return' } },
    { id: 'call', at: 'P30D', action: 'call' },
  ],
};

const status = (caseId: string): Promise<CaseStatus> => engine.temporal.workflow.getHandle(caseId).query(statusQuery);

beforeAll(async () => {
  engine = await startEngine({ smtp: true, twilio: true, strategies: [strategy] });
});
afterAll(() => engine?.stop());

describe('POST /api/v1/communications/:id/returned', () => {
  it('marks the postal address invalid, the case records it, and the fallback email goes out once', async () => {
    const enrolled = await engine.call('POST', '/api/v1/accounts', {
      key: engine.keys.integration,
      body: { externalId: 'ACC-RETURN', strategy: strategy.key, currency: 'USD', balance: 80_000, debtor: { name: 'Rosa Lind', email: 'rosa@example.com', ...daytimeAddress() } },
    });
    expect(enrolled.status).toBe(201);
    const caseId = String(enrolled.body.caseId);
    const { db } = engine;
    const letter = await eventually(async () => db.communication.findFirst({ where: { caseId, channel: 'letter', status: 'sent' } }), 'the letter to be mailed');
    await eventually(async () => (await status(caseId)).history.some((event) => event.type === 'step_done' && event.stepId === 'letter'), 'the case to record the letter');
    expect(engine.smtp.messages.filter((message) => message.envelope.to.includes('rosa@example.com'))).toHaveLength(0);

    const url = `/api/v1/communications/${letter.id}/returned`;
    const body = { reason: 'moved, left no forwarding address', at: '2026-11-20T10:00:00Z' };
    expect((await engine.call('POST', url, { key: engine.keys.auditor, body })).status).toBe(403);
    const bad = await engine.call('POST', url, { key: engine.keys.integration, body: { at: 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((field: { path: string }) => field.path).sort()).toEqual(['body.at', 'body.reason']);
    expect((await engine.call('POST', '/api/v1/communications/00000000-0000-4000-8000-000000000000/returned', { key: engine.keys.integration, body })).status).toBe(404);

    const first = await engine.call('POST', url, { key: engine.keys.integration, body });
    expect(first).toMatchObject({ status: 200, body: { communicationId: letter.id, caseId, status: 'returned', recorded: true } });

    // The case learns the address is dead and owes the letter step's fallback: the email.
    await eventually(async () => (await status(caseId)).channels.letter?.valid === false, 'the case to mark the postal address invalid');
    const mail = await eventually(async () => engine.smtp.messages.find((message) => message.envelope.to.includes('rosa@example.com')), 'the fallback email');
    expect(mail.parsed.subject).toBe('We could not reach you by post');
    expect(mail.parsed.text).toContain('our letter about $800.00 came back');
    const history = (await status(caseId)).history;
    expect(history.find((event) => event.type === 'step_failed' && event.stepId === 'letter')?.detail).toContain('letter_returned');

    // Reported again (the provider retries, an officer clicks twice): nothing changes twice.
    const again = await engine.call('POST', url, { key: engine.keys.officer, body });
    expect(again).toMatchObject({ status: 200, body: { recorded: false, status: 'returned' } });

    const row = await db.communication.findUniqueOrThrow({ where: { id: letter.id }, include: { events: { orderBy: { id: 'asc' } } } });
    expect(row.status).toBe('returned');
    expect(row.events.filter((event) => event.status === 'returned')).toEqual([
      expect.objectContaining({ source: 'letter_return', detail: 'returned undeliverable: moved, left no forwarding address', data: expect.objectContaining({ returnedAt: '2026-11-20T10:00:00.000Z' }) }),
    ]);
    expect((await db.contact.findFirstOrThrow({ where: { channel: 'letter', debtor: { accounts: { some: { id: row.caseId.replace(/^case-/, '') } } } } })).status).toBe('invalid');
    expect(await db.auditEvent.count({ where: { caseId, action: 'contact_invalid' } })).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(engine.smtp.messages.filter((message) => message.envelope.to.includes('rosa@example.com'))).toHaveLength(1);
    expect(await db.communication.count({ where: { caseId, channel: 'email' } })).toBe(1);
  });

  it('refuses what is not a mailed letter', async () => {
    const enrolled = await engine.call('POST', '/api/v1/accounts', {
      key: engine.keys.integration,
      body: { externalId: 'ACC-RETURN-2', strategy: strategy.key, currency: 'USD', balance: 80_000, debtor: { name: 'Ivo Berg', email: 'ivo@example.com', ...daytimeAddress() } },
    });
    const caseId = String(enrolled.body.caseId);
    const { db } = engine;
    await eventually(async () => db.communication.findFirst({ where: { caseId, channel: 'letter', status: 'sent' } }), 'the letter to be mailed');
    const email = await db.communication.create({
      data: { caseId, stepId: 'manual', channel: 'email', template: 'x', recipient: 'ivo@example.com', body: 'x', idempotencyKey: `${caseId}/manual`, status: 'sent' },
    });
    const refused = await engine.call('POST', `/api/v1/communications/${email.id}/returned`, { key: engine.keys.integration, body: { reason: 'bounced' } });
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'not_a_letter' } } });
  });
});
