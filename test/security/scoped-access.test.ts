import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/services/api-keys.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { consumerEarly } from '../support/strategies.js';

/**
 * Access rules where they were missing, over the real API: the audit export of a case's
 * communications masks contact details and content for roles that do not contact debtors (API3);
 * a case gets its officers' team when it is created (API call or import), and a team-scoped key
 * counts only its team's cases in every report (API1) while managers and auditors count all.
 */

let engine: Engine;
const officer: Record<'east' | 'west', string> = { east: '', west: '' };
let eastIntegration = '';

const debtor = (name: string, email: string) => ({ name, email, phone: '+15555550142', timeZone: middayZone() });
const account = (externalId: string, extra: Record<string, unknown> = {}) => ({
  externalId,
  strategy: 'scoped-test',
  currency: 'USD',
  balance: 10_000,
  debtor: debtor(`Debtor ${externalId}`, `${externalId.toLowerCase()}@example.com`),
  ...extra,
});

beforeAll(async () => {
  engine = await startEngine({ smtp: true, twilio: true });
  // Nothing is sent on its own: the only step is a month away.
  const strategy = { ...consumerEarly, key: 'scoped-test', steps: [{ id: 'call', at: 'P30D', action: 'call' }] };
  expect((await engine.call('POST', '/api/v1/strategies', { body: strategy })).status).toBe(201);
  for (const team of ['east', 'west'] as const) officer[team] = (await createApiKey(engine.db, { role: 'officer', name: `officer-${team}`, team, actor: 'test' })).key;
  eastIntegration = (await createApiKey(engine.db, { role: 'integration', name: 'east-feed', team: 'east', actor: 'test' })).key;
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

async function enroll(body: unknown, key = engine.keys.manager) {
  return engine.call('POST', '/api/v1/accounts', { body, key });
}

describe('a case gets its team when it is created', () => {
  it('through the API: the team named, none, or the team of a team-scoped key (and no other)', async () => {
    const east = await enroll(account('TEAM-E1', { team: 'east' }));
    expect(east.status).toBe(201);
    expect(east.body.team).toBe('east');
    expect((await engine.call('GET', `/api/v1/cases/${east.body.caseId}`, { key: officer.east })).status).toBe(200);
    expect((await engine.call('GET', `/api/v1/cases/${east.body.caseId}`, { key: officer.west })).status).toBe(404);

    const west = await enroll(account('TEAM-W1', { team: 'west' }));
    expect(west.body.team).toBe('west');
    const unassigned = await enroll(account('TEAM-N1'));
    expect(unassigned.status).toBe(201);
    expect(unassigned.body.team).toBeNull();
    expect((await engine.call('GET', `/api/v1/cases/${unassigned.body.caseId}`, { key: officer.east })).status).toBe(404);

    // A key with a team enrolls into its own team, named or not, and cannot reach another's.
    const fed = await enroll(account('TEAM-E2'), eastIntegration);
    expect(fed.status).toBe(201);
    expect(fed.body.team).toBe('east');
    const elsewhere = await enroll(account('TEAM-X1', { team: 'west' }), eastIntegration);
    expect(elsewhere.status).toBe(403);
    expect(await engine.db.account.count({ where: { externalId: 'TEAM-X1' } })).toBe(0);
    const repeatOfWest = await enroll(account('TEAM-W1'), eastIntegration);
    expect(repeatOfWest.status).toBe(409);
    expect(JSON.stringify(repeatOfWest.body)).not.toContain(west.body.caseId);

    // A repeated enrollment leaves the team as it was; the enrollment event names it.
    expect((await enroll(account('TEAM-E1', { team: 'west' }))).body.team).toBe('east');
    const enrolled = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId: east.body.caseId, action: 'account_enrolled' } });
    expect(enrolled.data).toMatchObject({ team: 'east' });
    expect((await enroll(account('TEAM-Y1', { team: 'not a team!' }))).status).toBe(400);
  });

  it('through an import: a CSV column and a JSON Lines field', { timeout: 60_000 }, async () => {
    const imported = async (contentType: string, body: string) => {
      const answer = await engine.call('POST', '/api/v1/accounts/import?strategy=scoped-test', { body, headers: { 'content-type': contentType } });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      return eventually(async () => {
        const job = await engine.call('GET', `/api/v1/imports/${answer.body.jobId}`);
        return (job.body.status === 'completed' || job.body.status === 'failed') && job.body;
      }, 'the import to finish', 45_000);
    };
    const zone = middayZone();
    const csv = await imported(
      'text/csv',
      `externalId,currency,balance,debtorName,email,timeZone,team\r\nIMP-E1,USD,10000,Imported East,imp-e1@example.com,${zone},east\r\nIMP-W1,USD,10000,Imported West,imp-w1@example.com,${zone},west\r\nIMP-N1,USD,10000,Imported None,imp-n1@example.com,${zone},\r\nIMP-BAD,USD,10000,Imported Bad,imp-bad@example.com,${zone},no such/team\r\n`,
    );
    expect(csv).toMatchObject({ status: 'completed', created: 3, rejected: 1 });
    const jsonl = await imported('application/x-ndjson', `${JSON.stringify(account('IMP-E2', { team: 'east' }))}\n`);
    expect(jsonl).toMatchObject({ status: 'completed', created: 1, rejected: 0 });

    const teams = Object.fromEntries(
      (await engine.db.case.findMany({ where: { account: { externalId: { startsWith: 'IMP-' } } }, include: { account: true } })).map((row) => [row.account.externalId, row.team]),
    );
    expect(teams).toEqual({ 'IMP-E1': 'east', 'IMP-W1': 'west', 'IMP-N1': null, 'IMP-E2': 'east' });
    const rejected = await engine.call('GET', `/api/v1/imports/${csv.jobId}/rejected.csv`);
    expect(String(rejected.body)).toMatch(/IMP-BAD,team,/);
    const listed = await engine.call('GET', '/api/v1/cases?limit=200', { key: officer.east });
    expect(listed.status).toBe(200);
    expect(listed.body.items.every((item: { team: string | null }) => item.team === 'east')).toBe(true);
  });
});

describe("an import follows the uploading key's team, row by row", () => {
  it('a team-scoped key imports into its own team only, cannot touch another team, and its jobs are its team\'s', { timeout: 60_000 }, async () => {
    const westIntegration = (await createApiKey(engine.db, { role: 'integration', name: 'west-feed', team: 'west', actor: 'test' })).key;
    const westAccount = await enroll(account('ROW-W1', { team: 'west' }));
    expect(westAccount.status).toBe(201);
    const unassigned = await enroll(account('ROW-N0'));
    expect(unassigned.status).toBe(201);

    const zone = middayZone();
    const row = (externalId: string, balance: number, team: string) => `${externalId},USD,${balance},Row ${externalId},${externalId.toLowerCase()}@example.com,${zone},${team}`;
    const upload = await engine.call('POST', '/api/v1/accounts/import?strategy=scoped-test', {
      key: eastIntegration,
      body: ['externalId,currency,balance,debtorName,email,timeZone,team', row('ROW-E1', 10_000, 'east'), row('ROW-E2', 10_000, ''), row('ROW-X1', 10_000, 'west'), row('ROW-W1', 99_999, ''), row('ROW-N0', 55_555, '')].join('\r\n'),
      headers: { 'content-type': 'text/csv' },
    });
    expect(upload.status, JSON.stringify(upload.body)).toBe(202);
    const job = await eventually(async () => {
      const answer = await engine.call('GET', `/api/v1/imports/${upload.body.jobId}`, { key: eastIntegration });
      return answer.body.status === 'completed' && answer.body;
    }, 'the import to finish', 45_000);
    // Two rows enrolled into the key's team (named, and by default); the rest refused, each with its reason.
    expect(job).toMatchObject({ created: 2, updated: 0, rejected: 3 });
    const teamOf = async (externalId: string) => (await engine.db.case.findFirst({ where: { account: { externalId } } }))?.team;
    expect([await teamOf('ROW-E1'), await teamOf('ROW-E2'), await teamOf('ROW-X1')]).toEqual(['east', 'east', undefined]);
    // Another team's account, and an account of no team, keep their balances.
    expect((await engine.db.account.findUniqueOrThrow({ where: { externalId: 'ROW-W1' } })).originalBalance).toBe(10_000);
    expect((await engine.db.account.findUniqueOrThrow({ where: { externalId: 'ROW-N0' } })).originalBalance).toBe(10_000);
    expect(await engine.db.auditEvent.count({ where: { action: 'placed_balance_changed', caseId: { in: [westAccount.body.caseId, unassigned.body.caseId] } } })).toBe(0);

    const rejected = await engine.call('GET', `/api/v1/imports/${job.jobId}/rejected.csv`, { key: eastIntegration });
    expect(rejected.status).toBe(200);
    const lines = String(rejected.body).trim().split(/\r?\n/).slice(1);
    expect(lines).toEqual([
      expect.stringMatching(/^4,ROW-X1,team,.*""east"" \(the key.s own team\)/),
      expect.stringMatching(/^5,ROW-W1,externalId,.*outside team ""east""/),
      expect.stringMatching(/^6,ROW-N0,externalId,.*outside team ""east""/),
    ]);
    expect(String(rejected.body)).not.toContain(westAccount.body.caseId);

    // The job is the east team's: another team's key finds neither it nor its rejected rows.
    for (const path of [`/api/v1/imports/${job.jobId}`, `/api/v1/imports/${job.jobId}/rejected.csv`]) {
      expect((await engine.call('GET', path, { key: westIntegration })).status, path).toBe(404);
      expect((await engine.call('GET', path, { key: engine.keys.manager })).status, path).toBe(200);
    }
    expect(upload.body.team).toBe('east');
    expect((await engine.db.importJob.findUniqueOrThrow({ where: { id: job.jobId } })).team).toBe('east');
  });
});

describe('reports', () => {
  const caseCount = (team?: string) => engine.db.case.count({ where: team ? { team } : {} });

  beforeAll(async () => {
    // Cases placed in September, so last month's roll rates count them too.
    await engine.db.case.updateMany({ data: { startedAt: new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 2, 1)) } });
    const byTeam = async (team: string | null) => (await engine.db.case.findFirstOrThrow({ where: { team } })).id;
    const [east, west] = [await byTeam('east'), await byTeam('west')];
    for (const [caseId, email, by] of [[east, 'east-report@example.com', 'alice'], [west, 'west-report@example.com', 'bob'], [west, 'west-2@example.com', 'bob']] as const) {
      await engine.db.communication.create({
        data: { caseId, stepId: `report-${email}`, channel: 'email', template: 'reminder', recipient: email, body: 'Hello', idempotencyKey: `report-${email}`, status: 'sent' },
      });
      await engine.db.auditEvent.create({ data: { caseId, actor: `officer:${by}`, action: 'outcome_recorded', data: { by, kind: 'promise' } } });
    }
  });

  it("count only the caller's team for a team-scoped key, everything for managers and auditors", async () => {
    const [all, east, west] = [await caseCount(), await caseCount('east'), await caseCount('west')];
    // The figures would be equal if the scope were ignored.
    expect(east).toBeGreaterThan(0);
    expect(east).toBeLessThan(all);
    const report = async (name: string, key: string) => {
      const answer = await engine.call('GET', `/api/v1/reports/${name}`, { key });
      expect(answer.status, `${name}: ${JSON.stringify(answer.body)}`).toBe(200);
      return answer.body;
    };
    const sum = (rows: { cases: number }[]) => rows.reduce((total, row) => total + row.cases, 0);

    for (const [key, expected, who] of [
      [officer.east, east, 'east officer'],
      [officer.west, west, 'west officer'],
      [engine.keys.manager, all, 'manager'],
      [engine.keys.auditor, all, 'auditor'],
    ] as const) {
      expect(sum((await report('aging', key)).rows), `aging, ${who}`).toBe(expected);
      expect((await report('recovery', key)).totals[0]?.cases, `recovery, ${who}`).toBe(expected);
      expect(sum((await report('liquidation', key)).cohorts), `liquidation, ${who}`).toBe(expected);
      expect(sum((await report('roll-rates', key)).buckets), `roll rates, ${who}`).toBe(expected);
    }

    const emails = async (key: string) => (await report('funnel', key)).channels.find((row: { channel: string }) => row.channel === 'email')?.attempts ?? 0;
    const emailsOf = (team?: string) => engine.db.communication.count({ where: { channel: 'email', ...(team ? { case: { team } } : {}) } });
    expect(await emails(officer.east)).toBe(await emailsOf('east'));
    expect(await emails(officer.west)).toBe(await emailsOf('west'));
    expect(await emails(engine.keys.auditor)).toBe(await emailsOf());
    expect(await emailsOf('east')).toBeLessThan(await emailsOf());

    const officersSeen = async (key: string) => (await report('officers', key)).rows.map((row: { officer: string }) => row.officer);
    expect(await officersSeen(officer.east)).toEqual(['alice']);
    expect(await officersSeen(engine.keys.manager)).toEqual(['alice', 'bob']);
  });
});

describe('the audit export of communications (API3)', () => {
  let caseId = '';
  const address = 'export-debtor@example.com';
  const phone = '+15555550177';
  const name = 'Zelda Quintero';

  beforeAll(async () => {
    const enrolled = await enroll(account('EXPORT-1', { team: 'east', debtor: debtor(name, address) }));
    caseId = enrolled.body.caseId;
    const email = await engine.db.communication.create({
      data: {
        caseId,
        stepId: 'reminder',
        channel: 'email',
        template: 'reminder',
        templateVersion: 2,
        recipient: address,
        subject: `${name}, your balance`,
        body: `Dear ${name}, call us.`,
        html: `<p>Dear ${name}</p>`,
        idempotencyKey: 'export-email',
        status: 'bounced',
        provider: 'smtp',
        providerId: '<export@mail.test>',
        error: `mailbox ${address} unknown`,
      },
    });
    await engine.db.communicationEvent.createMany({
      data: [
        { communicationId: email.id, status: 'sent', detail: 'accepted by smtp' },
        { communicationId: email.id, status: 'bounced', source: 'email_dsn', detail: `hard bounce 5.1.1: 550 <${address}>: user unknown` },
      ],
    });
    await engine.db.communication.create({
      data: { caseId, stepId: 'nudge', channel: 'sms', template: 'nudge', recipient: phone, body: `${name}: please pay`, idempotencyKey: 'export-sms', status: 'sent', provider: 'twilio', providerId: 'SM123' },
    });
    await engine.db.inboundMessage.create({ data: { providerKey: 'twilio:SMexport', channel: 'sms', kind: 'reply', caseId, fromAddress: phone, text: `This is ${name}, I lost my job`, intent: 'other' } });
  });

  const leaks = (text: string) => [address, phone, name, 'Zelda', 'lost my job'].filter((secret) => text.includes(secret));
  const contactReads = () => engine.db.auditEvent.count({ where: { caseId, action: 'contact_details_read' } });

  it('shows auditors addresses and numbers masked and content as [masked], in JSON and CSV, and keeps what an audit needs', async () => {
    const before = await contactReads();
    const json = await engine.call('GET', `/api/v1/cases/${caseId}/communications/export`, { key: engine.keys.auditor });
    expect(json.status).toBe(200);
    expect(leaks(JSON.stringify(json.body))).toEqual([]);
    expect(json.body.masked).toBe(true);
    const email = json.body.communications.find((row: { channel: string }) => row.channel === 'email');
    expect(email).toMatchObject({ recipient: 'e***@example.com', subject: '[masked]', body: '[masked]', html: '[masked]', template: 'reminder', templateVersion: 2, status: 'bounced', providerId: '<export@mail.test>' });
    expect(email.error).toBe('mailbox [email] unknown');
    expect(email.events.map((event: { status: string; detail: string }) => `${event.status}: ${event.detail}`)).toEqual(['sent: accepted by smtp', 'bounced: hard bounce 5.1.1: 550 <[email]>: user unknown']);
    const sms = json.body.communications.find((row: { channel: string }) => row.channel === 'sms');
    expect(sms).toMatchObject({ recipient: '+******0177', body: '[masked]', subject: null, html: null });
    expect(json.body.inbound).toEqual([expect.objectContaining({ from: '+******0177', text: '[masked]', intent: 'other' })]);

    const csv = await engine.call('GET', `/api/v1/cases/${caseId}/communications/export?format=csv`, { key: engine.keys.auditor });
    expect(csv.status).toBe(200);
    expect(leaks(String(csv.body))).toEqual([]);
    expect(String(csv.body)).toContain('e***@example.com');
    // Masked reads are not reads of contact details.
    expect(await contactReads()).toBe(before);
  });

  it('shows managers and admins everything, each read an audit event; officers may not export', async () => {
    for (const key of [engine.keys.manager, engine.keys.admin]) {
      const before = await contactReads();
      const json = await engine.call('GET', `/api/v1/cases/${caseId}/communications/export`, { key });
      expect(json.status).toBe(200);
      expect(json.body.masked).toBe(false);
      expect(leaks(JSON.stringify(json.body)).sort()).toEqual([address, phone, name, 'Zelda', 'lost my job'].sort());
      expect(await contactReads()).toBe(before + 1);
    }
    const read = await engine.db.auditEvent.findFirstOrThrow({ where: { caseId, action: 'contact_details_read' }, orderBy: { id: 'desc' } });
    expect(read.data).toMatchObject({ what: 'communications export' });
    expect((await engine.call('GET', `/api/v1/cases/${caseId}/communications/export`, { key: officer.east })).status).toBe(403);
  });
});
