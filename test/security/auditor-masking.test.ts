import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCaseFileFromDb } from '../../records/case-file.js';
import { renderCaseFilePdf } from '../../records/case-file-pdf.js';
import { caseFileJson } from '../../domain/case-file.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { seedWorkedCase, type SeededCase } from '../officers/case-file-fixture.js';
import { pdfText } from '../../testing/pdf-text.js';

/**
 * Auditors read the record of a case without the debtor's personal data (API3): every answer an
 * auditor can read about a worked case — the case, the debtor, its communications and their
 * audit export, the case file built now and the one delivered, as JSON and as PDF — is searched
 * for the debtor's name, shown to an auditor as initials only. Real PostgreSQL; no Temporal (so
 * not the live case view, whose shape has no debtor field).
 */

let engine: Engine;
let seeded: SeededCase;
let packageId = '';

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
  seeded = await seedWorkedCase(engine.db, { suffix: 'audit', team: null });
  // A delivered case file, as the agency activity stores it.
  const file = await buildCaseFileFromDb(engine.db, seeded.caseId, 'agency');
  if (!file) throw new Error('no case file');
  const stored = await engine.db.caseFilePackage.create({
    data: { caseId: seeded.caseId, purpose: 'agency', idempotencyKey: 'agency/audit-test', version: file.version, document: caseFileJson(file), sha256: 'x', pdf: Buffer.from(await renderCaseFilePdf(file)), pdfSha256: 'y' },
  });
  packageId = stored.id;
}, 120_000);

afterAll(async () => {
  await engine?.stop();
});

describe("the debtor's name, for an auditor", () => {
  const leaks = (text: string) => [seeded.debtorName, 'Grace', 'Hopper'].filter((secret) => text.includes(secret));
  const read = async (url: string, key: string = testKeys.auditor) => {
    const response = await fetch(`${engine.baseUrl}${url}`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status, url).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    return (response.headers.get('content-type') ?? '').includes('pdf') ? pdfText(bytes) : bytes.toString('utf8');
  };
  const urls = () => [
    `/api/v1/cases?limit=200`,
    `/api/v1/tasks?status=done`,
    `/api/v1/cases/${seeded.caseId}/debtor`,
    `/api/v1/cases/${seeded.caseId}/communications`,
    `/api/v1/cases/${seeded.caseId}/communications/export`,
    `/api/v1/cases/${seeded.caseId}/communications/export?format=csv`,
    `/api/v1/cases/${seeded.caseId}/case-file`,
    `/api/v1/cases/${seeded.caseId}/case-file?format=pdf`,
    `/api/v1/case-files/${packageId}`,
    `/api/v1/case-files/${packageId}?format=pdf`,
  ];

  it('is nowhere in what an auditor reads: the case list, tasks, the debtor, communications, their export, case files in JSON and PDF', async () => {
    for (const url of urls()) expect(leaks(await read(url)), url).toEqual([]);
  });

  it('reads as initials where the answer names the debtor, and says it is masked', async () => {
    const debtor = JSON.parse(await read(`/api/v1/cases/${seeded.caseId}/debtor`));
    expect(debtor).toMatchObject({ masked: true, name: 'G. H. A.' });
    expect(JSON.parse(await read(`/api/v1/cases/${seeded.caseId}/case-file`)).debtor.name).toBe('G. H. A.');
    const pdf = await read(`/api/v1/cases/${seeded.caseId}/case-file?format=pdf`);
    // The text was read (amounts are there); only the name is not.
    expect(pdf).toContain('$650.00');
    expect(pdf).toContain('G. H. A.');
    expect(JSON.parse(await read(`/api/v1/case-files/${packageId}`)).debtor.name).toBe('G. H. A.');
  });

  it('is shown in full to the roles that contact debtors', async () => {
    expect(JSON.parse(await read(`/api/v1/cases/${seeded.caseId}/debtor`, testKeys.officer)).name).toBe(seeded.debtorName);
    expect(JSON.parse(await read(`/api/v1/cases/${seeded.caseId}/case-file`, testKeys.manager)).debtor.name).toBe(seeded.debtorName);
    expect(await read(`/api/v1/cases/${seeded.caseId}/case-file?format=pdf`, testKeys.manager)).toContain(seeded.debtorName);
  });
});
