import { expect } from 'vitest';
import type { Engine } from '../../testing/engine.js';
import { statusQuery, type CaseStatus } from '../../workflows/case-messages.js';
import { personStatusQuery, personWorkflowId, type PersonStatus } from '../../workflows/person-messages.js';

/** The officer's own line, as click-to-call rings it first. */
export const officerLine = '+15555550111';

/**
 * A fixed-offset zone where the local hour is `hour` right now (minutes as the wall clock's), so a
 * test can stand at 21:xx or 09:xx in the debtor's time whenever it runs.
 */
export function zoneAtLocalHour(hour: number, now = new Date()): string {
  const offset = ((hour - now.getUTCHours() + 36) % 24) - 12; // hours to add to UTC, in -12..11
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** A strategy whose only step (a call) is a month away, so nothing else contacts the debtor; calls capped per person as given. */
export function callStrategy(key: string, callsPerDay?: number) {
  return {
    key,
    name: 'Calls',
    templates: {},
    steps: [{ id: 'call', at: 'P30D', action: 'call' }],
    contact: { validationNotice: { required: false }, ...(callsPerDay ? { frequencyCaps: { phone: { max: callsPerDay, days: 1 } } } : {}) },
  };
}

/** Enrolls an account of person `person` (the same debtor.externalId joins the accounts); answers the case id. */
export async function enroll(engine: Engine, { strategy, externalId, person, phone, timeZone, team }: { strategy: string; externalId: string; person: string; phone: string; timeZone: string; team?: string }): Promise<string> {
  const response = await engine.call('POST', '/api/v1/accounts', {
    key: engine.keys.integration,
    body: { externalId, strategy, currency: 'USD', balance: 50_000, ...(team ? { team } : {}), debtor: { externalId: person, name: 'Ana Ruiz', phone, smsConsent: true, timeZone } },
  });
  expect(response.status, response.text).toBe(201);
  return String(response.body.caseId);
}

export const caseStatus = (engine: Engine, caseId: string): Promise<CaseStatus> => engine.temporal.workflow.getHandle(caseId).query(statusQuery);

export async function personOf(engine: Engine, caseId: string): Promise<PersonStatus> {
  const row = await engine.db.case.findUniqueOrThrow({ where: { id: caseId }, select: { account: { select: { debtorId: true } } } });
  return engine.temporal.workflow.getHandle(personWorkflowId(row.account.debtorId)).query(personStatusQuery);
}

export const dial = (engine: Engine, caseId: string, body: Record<string, unknown> = {}) =>
  engine.call('POST', `/api/v1/cases/${caseId}/calls`, { key: engine.keys.officer, body: { officerPhone: officerLine, ...body } });
