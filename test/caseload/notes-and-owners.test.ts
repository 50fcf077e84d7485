import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envKeyId } from '../../api/auth.js';
import { createApiKey } from '../../api/services/api-keys.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { seedWorkedCase, type SeededCase } from '../officers/case-file-fixture.js';
import { pdfText } from '../../testing/pdf-text.js';

/**
 * Case notes and owners over the real API on real PostgreSQL (no Temporal: neither needs the case
 * to run): notes are append-only (the table itself refuses a change), a correction names the note
 * it corrects, bad text is a 4xx naming the field, auditors read them masked everywhere (case,
 * person, case file JSON and PDF) while the case file carries them for officers; a manager
 * reassigns a case (audited, refused for officers and for keys that could not see it), and the
 * owner finds it under "my cases".
 */

let engine: Engine;
let east: SeededCase;
let other: SeededCase;
const officerId = envKeyId(testKeys.officer);

async function read(url: string, key: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${engine.baseUrl}${url}`, { headers: { authorization: `Bearer ${key}` } });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, text: (response.headers.get('content-type') ?? '').includes('pdf') ? pdfText(bytes) : bytes.toString('utf8') };
}

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
  east = await seedWorkedCase(engine.db, { suffix: 'notes', team: 'east' });
  other = await seedWorkedCase(engine.db, { suffix: 'notes-other', team: null });
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

describe('case notes', () => {
  let firstId = '';

  it('are added with author and time, and a correction is a new note naming the one it corrects', async () => {
    const first = await engine.call('POST', `/api/v1/cases/${east.caseId}/notes`, { key: testKeys.officer, body: { text: 'Said she gets paid on the 15th; call after.' } });
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({ caseId: east.caseId, author: `officer:${officerId}`, corrects: null, correctedBy: [] });
    firstId = first.body.id;
    const correction = await engine.call('POST', `/api/v1/cases/${east.caseId}/notes`, { key: testKeys.officer2, body: { text: 'Correction: paid on the 16th.', corrects: firstId } });
    expect(correction.status, correction.text).toBe(201);

    const list = await engine.call('GET', `/api/v1/cases/${east.caseId}/notes`, { key: testKeys.officer });
    expect(list.body.masked).toBe(false);
    expect(list.body.items.map((note: { text: string }) => note.text)).toEqual(['Said she gets paid on the 15th; call after.', 'Correction: paid on the 16th.']);
    expect(list.body.items[0].correctedBy).toEqual([correction.body.id]);
    expect(list.body.items[1].corrects).toBe(firstId);
    const audit = await engine.db.auditEvent.findMany({ where: { caseId: east.caseId, action: 'note_added' } });
    expect(audit).toHaveLength(2);
    // The audit trail says a note was written, never what it says.
    expect(JSON.stringify(audit.map((event) => event.data))).not.toContain('15th');
  });

  it('cannot be changed or deleted, not even by SQL: the table refuses', async () => {
    await expect(engine.db.caseNote.update({ where: { id: firstId }, data: { text: 'rewritten' } })).rejects.toThrow(/append-only/);
    await expect(engine.db.caseNote.delete({ where: { id: firstId } })).rejects.toThrow(/append-only/);
    expect((await engine.db.caseNote.findUniqueOrThrow({ where: { id: firstId } })).text).toContain('15th');
    // And the API has no route that would.
    expect((await engine.call('PUT', `/api/v1/cases/${east.caseId}/notes`, { key: testKeys.admin, body: { text: 'x' } })).status).toBe(404);
  });

  it('refuse bad text with a 4xx naming the field, and write nothing', async () => {
    const before = await engine.db.caseNote.count();
    const cases: [unknown, number, string][] = [
      [{ text: 'bad \ud83d half' }, 400, 'body.text'],
      [{ text: 'nul \u0000 here' }, 400, 'body.text'],
      [{ text: '' }, 400, 'body.text'],
      [{ text: '    ' }, 400, 'body.text'],
      [{ text: 'x'.repeat(5001) }, 400, 'body.text'],
      [{ text: 'ok', corrects: 'no-such-note' }, 422, 'body.corrects'],
      [{ text: 'ok', extra: 1 }, 400, 'body'],
    ];
    for (const [body, status, field] of cases) {
      const raw = JSON.stringify(body).replace('\\ud83d', '\\ud83d');
      const answer = await engine.call('POST', `/api/v1/cases/${east.caseId}/notes`, { key: testKeys.officer, raw: { contentType: 'application/json', data: raw } });
      expect(answer.status, raw.slice(0, 60)).toBe(status);
      expect(JSON.stringify(answer.body.error.fields ?? []), raw.slice(0, 60)).toContain(field);
    }
    // A note of another case cannot be corrected from this one.
    const elsewhere = await engine.call('POST', `/api/v1/cases/${other.caseId}/notes`, { key: testKeys.officer, body: { text: 'other case' } });
    const crossed = await engine.call('POST', `/api/v1/cases/${east.caseId}/notes`, { key: testKeys.officer, body: { text: 'x', corrects: elsewhere.body.id } });
    expect(crossed.status).toBe(422);
    expect(await engine.db.caseNote.count()).toBe(before + 1);
    // Auditors read; they do not write.
    expect((await engine.call('POST', `/api/v1/cases/${east.caseId}/notes`, { key: testKeys.auditor, body: { text: 'x' } })).status).toBe(403);
  });

  it('are in the case file, JSON and PDF, for an officer', async () => {
    const json = await engine.call('GET', `/api/v1/cases/${east.caseId}/case-file`, { key: testKeys.officer });
    expect(json.status).toBe(200);
    expect(json.body.notes.map((note: { text: string; corrects: string | null }) => [note.text, note.corrects])).toEqual([
      ['Said she gets paid on the 15th; call after.', null],
      ['Correction: paid on the 16th.', firstId],
    ]);
    const pdf = await read(`/api/v1/cases/${east.caseId}/case-file?format=pdf`, testKeys.officer);
    expect(pdf.text).toContain('Notes (2)');
    // The row wraps where its width ends, which moves with the note id it names: compare words, not lines.
    expect(pdf.text.replace(/\s+/g, ' ')).toContain('Correction: paid on the 16th.');
  });

  it('are masked for auditors in every answer they can read: the case, the person, the case file as JSON and PDF', async () => {
    const debtorId = (await engine.db.account.findUniqueOrThrow({ where: { id: east.accountId } })).debtorId;
    const urls = [`/api/v1/cases/${east.caseId}/notes`, `/api/v1/debtors/${debtorId}/notes`, `/api/v1/cases/${east.caseId}/case-file`, `/api/v1/cases/${east.caseId}/case-file?format=pdf`];
    for (const url of urls) {
      const answer = await read(url, testKeys.auditor);
      expect(answer.status, url).toBe(200);
      expect(answer.text, url).not.toMatch(/15th|16th/);
      expect(answer.text, url).toContain('[masked]');
    }
    // The officer reads the person's notes in full, each with its account.
    const person = await engine.call('GET', `/api/v1/debtors/${debtorId}/notes`, { key: testKeys.officer });
    expect(person.body.items.map((note: { accountExternalId: string }) => note.accountExternalId)).toEqual(['CF-notes', 'CF-notes']);
  });
});

describe('case owners', () => {
  it('a manager reassigns a case, audited with before and after; an officer may not', async () => {
    const refused = await engine.call('PUT', `/api/v1/cases/${other.caseId}/owner`, { key: testKeys.officer, body: { officer: officerId } });
    expect(refused.status).toBe(403);
    const given = await engine.call('PUT', `/api/v1/cases/${other.caseId}/owner`, { body: { officer: officerId, reason: 'speaks Spanish' } });
    expect(given.status, given.text).toBe(200);
    expect(given.body).toMatchObject({ caseId: other.caseId, officer: officerId });
    const moved = await engine.call('PUT', `/api/v1/cases/${other.caseId}/owner`, { body: { officer: envKeyId(testKeys.officer2) } });
    expect(moved.status).toBe(200);
    const events = await engine.db.auditEvent.findMany({ where: { caseId: other.caseId, action: 'owner_assigned' }, orderBy: { id: 'asc' } });
    expect(events.map((event) => [event.before, event.after, (event.data as { source: string }).source])).toEqual([
      [{ officer: null }, { officer: officerId }, 'manual'],
      [{ officer: officerId }, { officer: envKeyId(testKeys.officer2) }, 'manual'],
    ]);
    expect(events[0]?.actor).toMatch(/^manager:/);
  });

  it('refuses an owner that is no officer key, or whose team could not see the case, naming body.officer', async () => {
    const westKey = await createApiKey(engine.db, { role: 'officer', name: 'west officer', team: 'west', actor: 'test' });
    const eastKey = await createApiKey(engine.db, { role: 'officer', name: 'east officer', team: 'east', actor: 'test' });
    for (const officer of ['nobody', envKeyId(testKeys.auditor), westKey.row.id]) {
      const answer = await engine.call('PUT', `/api/v1/cases/${east.caseId}/owner`, { body: { officer } });
      expect(answer.status, officer).toBe(422);
      expect(answer.body.error.fields[0].path).toBe('body.officer');
    }
    expect((await engine.db.case.findUniqueOrThrow({ where: { id: east.caseId } })).officer).toBeNull();
    const ok = await engine.call('PUT', `/api/v1/cases/${east.caseId}/owner`, { body: { officer: eastKey.row.id } });
    expect(ok.status).toBe(200);

    // "My cases": the owner's own, within its team.
    const mine = await engine.call('GET', '/api/v1/my/cases', { key: eastKey.key });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body).toMatchObject({ officer: eastKey.row.id, items: [{ caseId: east.caseId, officer: eastKey.row.id, team: 'east' }] });
    const officer2 = await engine.call('GET', '/api/v1/my/cases', { key: testKeys.officer2 });
    expect(officer2.body.items.map((item: { caseId: string }) => item.caseId)).toEqual([other.caseId]);
    expect((await engine.call('GET', '/api/v1/my/cases', { key: testKeys.officer })).body.items).toEqual([]);
    expect((await engine.call('GET', '/api/v1/my/cases', { key: testKeys.auditor })).status).toBe(403);
  });
});
