import type { Db } from '../../lib/db.js';

/**
 * Accounts, cases and payments written straight into the projection tables as the case workflow's
 * projection writes them (Payment rows; `payment_applied`, `arrangement_made` and
 * `payment_reversed` audit events), for the remittance statements worked out by hand in
 * remittance.test.ts. Times are UTC.
 *
 * | account | portfolio            | dpd | payments                                                                     |
 * | A1      | acme-cards (by age)  | 30  | P1 123,456 on 10-03; 23,456 of it returned 10-31 23:59 (learned late); P5 5,000 on 11-12; P8 100,000 on 12-01 |
 * | A2      | acme-cards (by age)  | 120 | P2 50,001 on 10-10, returned in full 11-04; P7 8,000 on 10-28 (learned after October was issued) |
 * | A3      | acme-loans (by type) | 400 | P3 20,000 on 10-02 (before the plan); plan agreed 10-05; P4 33,333 on 10-20; P6 10,000 on 11-15 |
 * | G1      | globex-main          | 10  | P9 99,999 on 10-15 (another client's)                                      |
 * | N1      | nobody-defined       | 5   | P10 7,000 on 10-16 (a portfolio no client defined)                          |
 */

const at = (iso: string) => new Date(iso);

export async function seedRemittanceAccounts(db: Db): Promise<void> {
  const strategy = await db.strategy.create({ data: { key: 'cards', version: 1, name: 'cards v1', status: 'active', definition: { key: 'cards', steps: [] } } });
  const accounts: [string, string, number][] = [
    ['A1', 'acme-cards', 30],
    ['A2', 'acme-cards', 120],
    ['A3', 'acme-loans', 400],
    ['G1', 'globex-main', 10],
    ['N1', 'nobody-defined', 5],
  ];
  for (const [id, portfolio, dpd] of accounts) {
    const debtor = await db.debtor.create({ data: { name: `Debtor ${id}`, timeZone: 'UTC' } });
    await db.account.create({ data: { id: `acc-${id}`, externalId: id, debtorId: debtor.id, currency: 'USD', originalBalance: 500_000, balance: 500_000, daysPastDue: dpd, portfolio } });
    await db.case.create({ data: { id: `case-${id}`, accountId: `acc-${id}`, strategyId: strategy.id, balance: 500_000, currency: 'USD', startedAt: at('2026-09-01T12:00:00Z') } });
  }
  await pay(db, 'A1', 'P1', 123_456, '2026-10-03T12:00:00Z');
  await pay(db, 'A2', 'P2', 50_001, '2026-10-10T12:00:00Z');
  await pay(db, 'A3', 'P3', 20_000, '2026-10-02T12:00:00Z');
  await event(db, 'A3', 'arrangement_made', '2026-10-05T12:00:00Z', { kind: 'plan', installments: [] });
  await pay(db, 'A3', 'P4', 33_333, '2026-10-20T12:00:00Z');
  await pay(db, 'G1', 'P9', 99_999, '2026-10-15T12:00:00Z');
  await pay(db, 'N1', 'P10', 7_000, '2026-10-16T12:00:00Z');
}

/** What the engine learns after October's statement was issued. */
export async function seedAfterOctober(db: Db): Promise<void> {
  // A return dated in October (projected late): it cannot go back onto the issued October statement.
  await reverse(db, 'A1', 'P1', 23_456, '2026-10-31T23:59:00Z');
  await reverse(db, 'A2', 'P2', 50_001, '2026-11-04T09:00:00Z');
  // A payment reported with its October date after October was issued.
  await pay(db, 'A2', 'P7', 8_000, '2026-10-28T12:00:00Z');
  await pay(db, 'A1', 'P5', 5_000, '2026-11-12T12:00:00Z');
  await pay(db, 'A3', 'P6', 10_000, '2026-11-15T12:00:00Z');
}

export async function seedDecember(db: Db): Promise<void> {
  await pay(db, 'A1', 'P8', 100_000, '2026-12-01T12:00:00Z');
}

let seq = 0;

async function event(db: Db, account: string, action: string, when: string, data: Record<string, unknown>) {
  seq += 1;
  await db.auditEvent.create({ data: { caseId: `case-${account}`, actor: 'workflow', action, at: at(when), data: { seq, ...data }, idempotencyKey: `case-${account}#${seq}` } });
}

async function pay(db: Db, account: string, reference: string, amount: number, when: string) {
  await db.payment.create({ data: { caseId: `case-${account}`, reference, amount, currency: 'USD', receivedAt: at(when) } });
  await event(db, account, 'payment_applied', when, { reference, amount, currency: 'USD', receivedAt: when });
}

async function reverse(db: Db, account: string, reference: string, amount: number, when: string) {
  await db.payment.update({ where: { caseId_reference: { caseId: `case-${account}`, reference } }, data: { reversedAt: at(when) } });
  await event(db, account, 'payment_reversed', when, { reference, amount, reason: 'NSF', balanceAfter: 0 });
}
