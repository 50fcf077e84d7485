import type { Db } from '../../lib/db.js';

/**
 * A small portfolio written straight into the projection tables, whose report figures are worked
 * out by hand in the report tests (see the comments there). All times are UTC noon unless said.
 *
 * | case | strategy | arm        | portfolio | started    | dpd | placed      | payments                                                  | closed     |
 * | c1   | alpha v1 | champion   | ACME      | 2026-01-10 | 20  | 100,000 USD | 20,000 01-20; 30,000 02-15                                | -          |
 * | c2   | alpha v1 | challenger | ACME      | 2026-01-25 | 0   | 50,000 USD  | 50,000 03-05                                              | 2026-03-05 |
 * | c3   | alpha v2 | champion   | Globex    | 2026-02-03 | 100 | 200,000 USD | 10,000 02-10 reversed 02-20 (NSF); 40,000 03-20           | -          |
 * | c4   | beta v1  | -          | Globex    | 2026-03-15 | 170 | 80,000 USD  | 8,000 04-02 (after the as-of date)                        | -          |
 * | c5   | beta v1  | -          | -         | 2026-04-05 | 0   | 10,000 USD  | -                                                         | -          |
 * | c6   | beta v1  | -          | ACME      | 2026-02-20 | 45  | 30,000 EUR  | 5,000 03-01, reversed 04-10 (after the as-of date)        | -          |
 */

const at = (day: string, time = '12:00:00') => new Date(`${day}T${time}Z`);

export async function seedPortfolio(db: Db): Promise<void> {
  const strategy = async (key: string, version: number) =>
    (await db.strategy.create({ data: { key, version, name: `${key} v${version}`, status: 'active', definition: { key, steps: [] } } })).id;
  const alpha1 = await strategy('alpha', 1);
  const alpha2 = await strategy('alpha', 2);
  const beta1 = await strategy('beta', 1);

  const cases: { id: string; strategyId: string; arm: string | null; portfolio: string | null; started: string; dpd: number; placed: number; currency: string; closed?: string }[] = [
    { id: 'c1', strategyId: alpha1, arm: 'champion', portfolio: 'ACME', started: '2026-01-10', dpd: 20, placed: 100_000, currency: 'USD' },
    { id: 'c2', strategyId: alpha1, arm: 'challenger', portfolio: 'ACME', started: '2026-01-25', dpd: 0, placed: 50_000, currency: 'USD', closed: '2026-03-05' },
    { id: 'c3', strategyId: alpha2, arm: 'champion', portfolio: 'Globex', started: '2026-02-03', dpd: 100, placed: 200_000, currency: 'USD' },
    { id: 'c4', strategyId: beta1, arm: null, portfolio: 'Globex', started: '2026-03-15', dpd: 170, placed: 80_000, currency: 'USD' },
    { id: 'c5', strategyId: beta1, arm: null, portfolio: null, started: '2026-04-05', dpd: 0, placed: 10_000, currency: 'USD' },
    { id: 'c6', strategyId: beta1, arm: null, portfolio: 'ACME', started: '2026-02-20', dpd: 45, placed: 30_000, currency: 'EUR' },
  ];
  for (const row of cases) {
    const debtor = await db.debtor.create({ data: { name: `Debtor ${row.id}`, timeZone: 'UTC' } });
    await db.account.create({
      data: { id: `a-${row.id}`, externalId: `EXT-${row.id}`, debtorId: debtor.id, currency: row.currency, originalBalance: row.placed, balance: row.placed, daysPastDue: row.dpd, portfolio: row.portfolio },
    });
    await db.case.create({
      data: {
        id: row.id,
        accountId: `a-${row.id}`,
        strategyId: row.strategyId,
        arm: row.arm,
        status: row.closed ? 'closed' : 'open',
        closeReason: row.closed ? 'paid' : null,
        balance: row.placed,
        currency: row.currency,
        startedAt: at(row.started),
        closedAt: row.closed ? at(row.closed, '13:00:00') : null,
      },
    });
  }

  const payments: [string, string, number, string, string?][] = [
    ['c1', 'p1', 20_000, '2026-01-20'],
    ['c1', 'p2', 30_000, '2026-02-15'],
    ['c2', 'p3', 50_000, '2026-03-05'],
    ['c3', 'p4', 10_000, '2026-02-10', '2026-02-20'],
    ['c3', 'p5', 40_000, '2026-03-20'],
    ['c4', 'p6', 8_000, '2026-04-02'],
    ['c6', 'p7', 5_000, '2026-03-01', '2026-04-10'],
  ];
  for (const [caseId, reference, amount, received, reversed] of payments) {
    const currency = caseId === 'c6' ? 'EUR' : 'USD';
    await db.payment.create({ data: { caseId, reference, amount, currency, receivedAt: at(received), reversedAt: reversed ? at(reversed) : null } });
  }

  const communications: [string, string, string, string][] = [
    ['c1', 'email', 'sent', '2026-01-10'],
    ['c1', 'sms', 'delivered', '2026-01-13'],
    ['c3', 'email', 'failed', '2026-02-04'],
    ['c3', 'letter', 'sent', '2026-02-15'],
    ['c4', 'email', 'pending', '2026-03-16'],
    ['c1', 'email', 'sent', '2026-04-02'],
  ];
  for (const [index, [caseId, channel, status, day]] of communications.entries()) {
    await db.communication.create({
      data: { caseId, stepId: `s${index}`, channel, template: 't', recipient: 'r', body: 'b', idempotencyKey: `comm-${index}`, status, createdAt: at(day) },
    });
  }

  const tasks: { caseId: string; kind: string; created: string; assignee: string | null; done: string | null; outcome: string | null }[] = [
    { caseId: 'c1', kind: 'call', created: '2026-01-24', assignee: 'officer:A', done: '2026-01-25', outcome: 'promise' },
    { caseId: 'c3', kind: 'call', created: '2026-02-17', assignee: 'officer:B', done: '2026-02-18', outcome: 'no_answer' },
    { caseId: 'c3', kind: 'call', created: '2026-03-03', assignee: 'officer:B', done: '2026-03-03', outcome: 'right_party_contact' },
    { caseId: 'c4', kind: 'review', created: '2026-03-20', assignee: null, done: null, outcome: null },
    { caseId: 'c1', kind: 'call', created: '2026-03-30', assignee: 'officer:A', done: '2026-04-03', outcome: 'right_party_contact' },
  ];
  for (const [index, task] of tasks.entries()) {
    await db.task.create({
      data: {
        caseId: task.caseId,
        kind: task.kind,
        idempotencyKey: `task-${index}`,
        status: task.done ? 'done' : 'open',
        assignee: task.assignee,
        createdAt: at(task.created, '09:00:00'),
        completedAt: task.done ? at(task.done, '11:00:00') : null,
      },
    });
    // The call outcome column belongs to the officer work queue; written by name so this fixture
    // does not depend on that model's generated type.
    if (task.outcome) await db.$executeRawUnsafe(`UPDATE "Task" SET "outcome" = $1 WHERE "idempotencyKey" = $2`, task.outcome, `task-${index}`);
  }

  const events: [string, string, string, Record<string, string>][] = [
    ['c1', 'outcome_recorded', '2026-01-25T10:00:00', { kind: 'promise_to_pay', by: 'officer:A', role: 'officer' }],
    ['c1', 'arrangement_made', '2026-01-25T10:00:01', { kind: 'promise' }],
    ['c1', 'arrangement_kept', '2026-02-15T13:00:00', { kind: 'promise' }],
    ['c3', 'outcome_recorded', '2026-03-03T10:00:00', { kind: 'payment_plan', by: 'officer:B', role: 'officer' }],
    ['c3', 'arrangement_made', '2026-03-03T10:00:01', { kind: 'plan' }],
    ['c2', 'outcome_recorded', '2026-02-01T10:00:00', { kind: 'promise_to_pay', by: 'officer:B', role: 'officer' }],
    ['c2', 'arrangement_made', '2026-02-01T10:00:01', { kind: 'promise' }],
    ['c2', 'arrangement_broken', '2026-02-20T10:00:00', { kind: 'promise' }],
    ['c4', 'hold_started', '2026-03-20T10:00:00', { kind: 'dispute' }],
    ['c4', 'outcome_recorded', '2026-03-20T10:00:00', { kind: 'dispute', by: 'officer:A', role: 'officer' }],
    ['c1', 'opted_out', '2026-02-02T10:00:00', { channel: 'sms' }],
    ['c3', 'opted_out', '2026-03-01T10:00:00', { channel: 'email' }],
    ['c4', 'opted_out', '2026-04-02T10:00:00', { channel: 'sms' }],
    ['c1', 'reply_received', '2026-02-02T10:00:00', { channel: 'sms', intent: 'stop' }],
    ['c3', 'reply_received', '2026-02-25T10:00:00', { channel: 'sms', intent: 'dispute' }],
    ['c3', 'step_skipped', '2026-02-05T10:00:00', { detail: 'step "nudge" skipped: no recorded consent for SMS' }],
    ['c4', 'step_skipped', '2026-03-16T10:00:00', { detail: "step \"nudge\" skipped: balance 80000 is below the step's minimum 90000" }],
    ['c1', 'step_skipped', '2026-01-13T10:00:00', { detail: 'step "nudge" skipped: no recorded consent for SMS' }],
    ['c3', 'hold_started', '2026-03-10T10:00:00', { kind: 'hardship' }],
    ['c4', 'arrangement_made', '2026-03-22T10:00:00', { kind: 'settlement', approvedBy: 'manager:x' }],
  ];
  await db.auditEvent.createMany({
    data: events.map(([caseId, action, time, data]) => ({ caseId, actor: 'workflow', action, at: new Date(`${time}Z`), data })),
  });

  // The debtor page: c1's SMS link opened twice (one message), identity confirmed, a promise made;
  // c4's link opened and nothing more (its email never went out).
  const page: [string, string, string, Record<string, string | null>][] = [
    ['c1', 'debtor_page_opened', '2026-01-13T12:00:00', { communicationId: 'sms-c1', strategy: 'alpha', arm: 'champion' }],
    ['c1', 'debtor_page_opened', '2026-01-14T12:00:00', { communicationId: 'sms-c1', strategy: 'alpha', arm: 'champion' }],
    ['c1', 'debtor_page_identity_failed', '2026-01-14T12:01:00', { communicationId: 'sms-c1', strategy: 'alpha', arm: 'champion' }],
    ['c1', 'debtor_page_identity_confirmed', '2026-01-14T12:02:00', { communicationId: 'sms-c1', strategy: 'alpha', arm: 'champion' }],
    ['c1', 'debtor_page_promise', '2026-01-14T12:03:00', { communicationId: 'sms-c1', strategy: 'alpha', arm: 'champion' }],
    ['c4', 'debtor_page_opened', '2026-03-17T12:00:00', { communicationId: 'email-c4', strategy: 'beta', arm: null }],
  ];
  await db.auditEvent.createMany({
    data: page.map(([caseId, action, time, data]) => ({ caseId, actor: 'debtor_page', action, at: new Date(`${time}Z`), data })),
  });
}
