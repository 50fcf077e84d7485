import { expect } from 'vitest';
import { collectionDisclosure } from '../../../domain/disclosures.js';
import type { Engine } from '../../../testing/engine.js';
import { daytimeAddress } from '../../../testing/midday-zone.js';
import { statusQuery, type CaseStatus } from '../../../workflows/case-messages.js';

/**
 * What the inbound tests (email, SMS) share: a strategy that emails, texts, emails again and then
 * writes a letter, and real cases on it (an engine from testing/engine.ts, its case workflow).
 */

/** Reminder email, SMS a second later, a second email after `secondReminderSeconds`, the letter a second after that. */
export function inboundStrategy(key: string, secondReminderSeconds: number) {
  return {
    key,
    name: 'Communications end to end',
    templates: {
      reminder: {
        channel: 'email',
        subject: 'Your balance of {{balance}} is overdue',
        body: `Hello {{debtor.name}}, {{balance}} is overdue.\n\n${collectionDisclosure.en}\n\nUnsubscribe: {{unsubscribeUrl}}`,
      },
      nudge: { channel: 'sms', body: `{{debtor.name}}, {{balance}} is overdue. ${collectionDisclosure.en} Reply STOP to opt out.` },
      demand: { channel: 'letter', body: `Dear {{debtor.name}}, please pay {{balance}}. ${collectionDisclosure.en}` },
    },
    steps: [
      { id: 'reminder', at: 'PT0S', action: 'email', template: 'reminder' },
      { id: 'nudge', at: 'PT1S', action: 'sms', template: 'nudge' },
      { id: 'second-reminder', at: `PT${secondReminderSeconds}S`, action: 'email', template: 'reminder' },
      { id: 'letter', at: `PT${secondReminderSeconds + 1}S`, action: 'letter', template: 'demand' },
      { id: 'call', at: 'P30D', action: 'call' },
    ],
  };
}

/** Enrols an account on `strategyKey` for a debtor with a postal address (plus `debtor`) and answers its case id. */
export async function enrollWithAddress(engine: Engine, strategyKey: string, externalId: string, debtor: Record<string, unknown>): Promise<string> {
  const response = await engine.call('POST', '/api/v1/accounts', {
    key: engine.keys.integration,
    body: { externalId, strategy: strategyKey, currency: 'USD', balance: 125_000, debtor: { ...daytimeAddress(), ...debtor } },
  });
  expect(response.status).toBe(201);
  return String(response.body.caseId);
}

/** The case workflow's own status (not the read model). */
export const caseStatus = (engine: Engine, caseId: string): Promise<CaseStatus> => engine.temporal.workflow.getHandle(caseId).query(statusQuery);
