import type { ContactGrantRequest, PersonContact, PersonFacts } from '../../../workflows/person-messages.js';
import type { PersonLedger } from '../../../domain/person/contact-decision.js';
import { reachable } from '../regulation/facts.js';

/** Shared fixtures for the person tests (not a test file). */

export function personFacts(overrides: Partial<PersonFacts> = {}): PersonFacts {
  return {
    contacts: {
      email: { ...reachable, address: 'ana@example.com' },
      sms: { ...reachable, address: '+13125550100', consent: true },
      letter: { ...reachable, address: 'Ana Ruiz | 1 Main St | Springfield 62701 | US' },
    },
    ...overrides,
  };
}

/** Ana Ruiz in Chicago with three accounts; ACC-2 and ACC-3 are student loans serviced as one. */
export function ledger(overrides: Partial<PersonLedger> = {}): PersonLedger {
  return {
    personId: 'debtor-1',
    name: 'Ana Ruiz',
    timeZone: 'America/Chicago',
    facts: personFacts(),
    cases: {
      'case-1': { caseId: 'case-1', accountExternalId: 'ACC-1', debtGroup: 'ACC-1', open: true },
      'case-2': { caseId: 'case-2', accountExternalId: 'ACC-2', debtGroup: 'LOANS', open: true },
      'case-3': { caseId: 'case-3', accountExternalId: 'ACC-3', debtGroup: 'LOANS', open: true },
    },
    contacts: [],
    ...overrides,
  };
}

export function request(overrides: Partial<ContactGrantRequest> = {}): ContactGrantRequest {
  return {
    grantId: 'grant-1',
    caseId: 'case-1',
    channel: 'phone',
    action: 'collection',
    debt: { balance: 50_000, history: { validationNoticeSentAt: Date.parse('2026-04-01T15:00:00Z'), firstCommunicationAt: Date.parse('2026-04-01T15:00:00Z') } },
    policy: {},
    ...overrides,
  };
}

let serial = 0;
/** A contact in the ledger; grant ids are unique unless given. */
export function contact(caseId: string, debtGroup: string, medium: PersonContact['medium'], iso: string, more: Partial<PersonContact> = {}): PersonContact {
  return { grantId: `g-${++serial}`, caseId, debtGroup, medium, at: Date.parse(iso), ...more };
}
