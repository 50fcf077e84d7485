import { expect } from 'vitest';
import { collectionDisclosure } from '../../domain/disclosures.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { eventually } from '../../testing/eventually.js';
import { middayZone } from '../../testing/midday-zone.js';
import { statusQuery, type CaseStatus } from '../../workflows/case-messages.js';
import { personStatusQuery, personWorkflowId, type PersonStatus } from '../../workflows/person-messages.js';

/**
 * One person with several accounts on the real engine: the API and PostgreSQL, the Temporal
 * time-skipping server with the real worker (case and person workflows, real activities) and the
 * Twilio stand-in. Time moves only when a test sleeps, so nothing races the machine's speed.
 */

export async function startPersonEngine(): Promise<Engine> {
  return startEngine({ temporal: 'time-skipping', api: true, worker: 'in-process', twilio: true });
}

/** SMS steps the tests name, due a day (and `later` days) after enrollment; no validation-notice wait. */
export function smsStrategy(key: string, { later = [], frequencyCaps }: { later?: number[]; frequencyCaps?: Record<string, { max: number; days: number }> } = {}) {
  return {
    key,
    name: 'Person contacts',
    templates: { nudge: { channel: 'sms', body: `{{debtor.name}}, {{balance}} is overdue on {{account.externalId}}. ${collectionDisclosure.en} Reply STOP to opt out.` } },
    steps: [{ id: 'nudge', at: 'P1D', action: 'sms', template: 'nudge' }, ...later.map((days) => ({ id: `nudge-${days}`, at: `P${days}D`, action: 'sms', template: 'nudge' }))],
    contact: { validationNotice: { required: false }, ...(frequencyCaps ? { frequencyCaps } : {}) },
  };
}

export async function saveStrategy(engine: Engine, definition: unknown): Promise<void> {
  const saved = await engine.call('POST', '/api/v1/strategies', { body: definition });
  expect(saved.status, saved.text).toBe(201);
}

/** Enrolls `accounts` accounts of one person (the same debtor.externalId); answers their case ids, in order. */
export async function enrollPerson(engine: Engine, strategyKey: string, person: string, phone: string, accounts: number): Promise<string[]> {
  const zone = middayZone(new Date(await engine.testEnv.currentTimeMs()));
  const caseIds: string[] = [];
  for (let n = 1; n <= accounts; n++) {
    const response = await engine.call('POST', '/api/v1/accounts', {
      key: engine.keys.integration,
      body: { externalId: `${person}-ACC-${n}`, strategy: strategyKey, currency: 'USD', balance: 10_000 * n, debtor: { externalId: person, name: 'Ana Ruiz', phone, smsConsent: true, timeZone: zone } },
    });
    expect(response.status, response.text).toBe(201);
    caseIds.push(String(response.body.caseId));
  }
  return caseIds;
}

export const caseStatus = (engine: Engine, caseId: string): Promise<CaseStatus> => engine.temporal.workflow.getHandle(caseId).query(statusQuery);

export async function debtorIdOf(engine: Engine, caseId: string): Promise<string> {
  const row = await engine.db.case.findUniqueOrThrow({ where: { id: caseId }, select: { account: { select: { debtorId: true } } } });
  return row.account.debtorId;
}

export const personStatus = (engine: Engine, debtorId: string): Promise<PersonStatus> => engine.temporal.workflow.getHandle(personWorkflowId(debtorId)).query(personStatusQuery);

/** Waits until every case answers `check` on its live status. */
export function everyCase(engine: Engine, caseIds: string[], check: (status: CaseStatus) => boolean, what: string): Promise<CaseStatus[]> {
  return eventually(async () => {
    const statuses = await Promise.all(caseIds.map((caseId) => caseStatus(engine, caseId)));
    return statuses.every(check) && statuses;
  }, what);
}

/** The SMS the stand-in accepted for `phone`. */
export const smsTo = (engine: Engine, phone: string) => engine.twilio.messages.filter((message) => message.form.To === phone);
