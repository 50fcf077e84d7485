import { createProjectionActivities } from '../../activities/projection.js';
import type { Db } from '../../lib/db.js';
import type { CaseEvent } from '../../workflows/case-messages.js';

/** A case event before the projection numbers it (one shape per event type). */
type Unsequenced = CaseEvent extends infer E ? (E extends CaseEvent ? Omit<E, 'seq'> : never) : never;

/**
 * A worked case written the way the engine writes it: rows made at enrollment, then the
 * workflow's events through the real projection activity (audit trail, payments, the reversal),
 * plus communications with their delivery trails, an inbound reply, a completed call task and
 * the API's own audit events. Balances (USD cents), worked out by hand:
 *
 * | when (2026-01-05) | what                               | change  | balance |
 * | 09:00             | opening (enrolled)                 |         | 100,000 |
 * | 12:00             | payment PAY-1                      | -30,000 |  70,000 |
 * | 14:00             | payment PAY-2                      | -20,000 |  50,000 |
 * | 15:00             | PAY-2 returned (NSF)               | +20,000 |  70,000 |
 * | 16:00             | balance adjusted (late fee waived) |  -5,000 |  65,000 |
 */

export const at = (time: string) => new Date(`2026-01-05T${time}Z`);

export interface SeededCase {
  caseId: string;
  accountId: string;
  debtorName: string;
  communicationIds: string[];
}

export async function seedWorkedCase(db: Db, { suffix, team }: { suffix: string; team: string | null }): Promise<SeededCase> {
  const debtorName = `Grace Hopper ${suffix}`;
  const accountId = `acc-${suffix}`;
  const caseId = `case-${accountId}`;
  const strategy = await db.strategy.upsert({
    where: { key_version: { key: 'case-file-test', version: 1 } },
    create: { key: 'case-file-test', version: 1, name: 'Case file test', definition: { key: 'case-file-test', steps: [] } },
    update: {},
  });
  const debtor = await db.debtor.create({
    data: {
      name: debtorName,
      timeZone: 'America/Chicago',
      contacts: {
        create: [
          { channel: 'sms', value: '+15555550177', consent: true, consentAt: at('09:00:00'), consentSource: 'enrollment' },
          { channel: 'email', value: `grace.${suffix}@example.com` },
        ],
      },
    },
  });
  await db.account.create({ data: { id: accountId, externalId: `CF-${suffix}`, debtorId: debtor.id, currency: 'USD', originalBalance: 100_000, balance: 100_000, daysPastDue: 40 } });
  await db.case.create({ data: { id: caseId, accountId, strategyId: strategy.id, balance: 100_000, currency: 'USD', startedAt: at('09:00:00'), team } });
  await db.auditEvent.create({ data: { caseId, actor: 'manager:abc', action: 'account_enrolled', at: at('09:00:00'), data: { externalId: `CF-${suffix}` } } });

  const email = await db.communication.create({
    data: {
      caseId,
      stepId: 'reminder',
      channel: 'email',
      template: 'reminder',
      templateLanguage: 'en',
      templateVersion: 3,
      recipient: `grace.${suffix}@example.com`,
      subject: 'Your balance of $1,000.00 is overdue',
      body: `Hello ${debtorName}, your balance of $1,000.00 is overdue.`,
      html: '<p>Hello</p>',
      idempotencyKey: `${caseId}/run/reminder`,
      status: 'delivered',
      provider: 'smtp',
      providerId: `<m1-${suffix}@dunning.local>`,
      createdAt: at('09:30:00'),
      sentAt: at('09:30:02'),
      deliveredAt: at('09:31:00'),
    },
  });
  const letter = await db.communication.create({
    data: {
      caseId,
      stepId: 'letter',
      channel: 'letter',
      template: 'demand',
      recipient: `${debtorName} | 1 Main St | Chicago, IL 60601 | US`,
      body: `Dear ${debtorName}, pay now.`,
      idempotencyKey: `${caseId}/run/letter`,
      status: 'sent',
      provider: 'outbox',
      documentPath: `/var/data/outbox/letters/${caseId}-letter.pdf`,
      documentSha256: 'ab'.repeat(32),
      createdAt: at('10:00:00'),
      sentAt: at('10:00:01'),
    },
  });
  for (const [communicationId, status, time, source] of [
    [email.id, 'sending', '09:30:01', 'activity'],
    [email.id, 'sent', '09:30:02', 'activity'],
    [email.id, 'delivered', '09:31:00', 'email_dsn'],
    [letter.id, 'sending', '10:00:00', 'activity'],
    [letter.id, 'sent', '10:00:01', 'activity'],
  ] as const) {
    await db.communicationEvent.create({ data: { communicationId, status, at: at(time), source } });
  }
  await db.inboundMessage.create({
    data: { providerKey: `twilio:SM-${suffix}`, channel: 'sms', kind: 'reply', caseId, fromAddress: '+15555550177', text: 'I can pay 300 today', intent: 'other', receivedAt: at('11:00:00') },
  });

  const events: Unsequenced[] = [
    { at: '2026-01-05T09:00:00.000Z', type: 'enrolled', detail: 'enrolled in case-file-test v1', data: { balance: 100_000 } },
    { at: '2026-01-05T09:30:03.000Z', type: 'step_done', stepId: 'reminder', detail: 'email "reminder" sent', data: { communicationId: email.id } },
    { at: '2026-01-05T10:00:02.000Z', type: 'step_done', stepId: 'letter', detail: 'letter "demand" sent', data: { communicationId: letter.id } },
    { at: '2026-01-05T11:00:01.000Z', type: 'reply_received', detail: 'sms reply classified as other', data: { channel: 'sms', text: 'I can pay 300 today', intent: 'other', receivedAt: '2026-01-05T11:00:00.000Z' } },
    {
      at: '2026-01-05T11:30:00.000Z',
      type: 'outcome_recorded',
      detail: 'promise to pay recorded by officer:abc',
      data: { kind: 'promise_to_pay', amount: 30_000, dueDate: '2026-01-06', by: 'officer:abc', role: 'officer' },
    },
    { at: '2026-01-05T11:30:00.000Z', type: 'arrangement_made', detail: 'promise: $300.00 by 2026-01-06', data: { kind: 'promise' } },
    {
      at: '2026-01-05T12:00:00.000Z',
      type: 'payment_applied',
      detail: 'payment PAY-1 of 30000 applied',
      data: { reference: 'PAY-1', amount: 30_000, currency: 'USD', receivedAt: '2026-01-05T12:00:00.000Z', balanceBefore: 100_000, balanceAfter: 70_000, overpaid: 0 },
    },
    { at: '2026-01-05T12:00:00.000Z', type: 'arrangement_kept', detail: 'promise kept', data: { kind: 'promise', paidTotal: 30_000 } },
    {
      at: '2026-01-05T14:00:00.000Z',
      type: 'payment_applied',
      detail: 'payment PAY-2 of 20000 applied',
      data: { reference: 'PAY-2', amount: 20_000, currency: 'USD', receivedAt: '2026-01-05T14:00:00.000Z', balanceBefore: 70_000, balanceAfter: 50_000, overpaid: 0 },
    },
    { at: '2026-01-05T15:00:00.000Z', type: 'payment_reversed', detail: 'payment PAY-2 of 20000 returned: NSF', data: { reference: 'PAY-2', amount: 20_000, reason: 'NSF', balanceAfter: 70_000 } },
    {
      at: '2026-01-05T16:00:00.000Z',
      type: 'balance_adjusted',
      detail: 'balance adjusted by manager:abc: late fee waived',
      data: { balanceBefore: 70_000, balanceAfter: 65_000, source: 'manager:abc', reason: 'late fee waived' },
    },
    { at: '2026-01-05T17:00:00.000Z', type: 'outcome_recorded', detail: 'escalate recorded by manager:abc', data: { kind: 'escalate', to: 'agency', reason: 'no contact', by: 'manager:abc', role: 'manager' } },
  ];
  const projection = createProjectionActivities({ db });
  await projection.projectCase({
    caseId,
    seq: events.length,
    state: { status: 'open', closeReason: null, balance: 65_000, currentStep: 'letter', nextActionAt: null, nextActionWhy: null },
    events: events.map((event, index) => ({ ...event, seq: index + 1 })),
  });

  const task = await db.task.create({
    data: { caseId, kind: 'call', stepId: 'call', status: 'done', assignee: 'officer:abc', reason: 'scheduled call step "call"', idempotencyKey: `${caseId}/run/call`, outcome: 'promise', outcomeNote: 'will pay today', createdAt: at('11:10:00'), completedAt: at('11:30:00') },
  });
  await db.auditEvent.create({ data: { caseId, actor: 'officer:abc', action: 'call_outcome', at: at('11:30:00'), data: { taskId: task.id, outcome: 'promise', negotiated: 'promise_to_pay' } } });
  // Reads of the case are in the audit trail but are not part of its story.
  await db.auditEvent.create({ data: { caseId, actor: 'officer:abc', action: 'contact_details_read', at: at('11:05:00'), data: { what: 'communications' } } });

  return { caseId, accountId, debtorName, communicationIds: [email.id, letter.id] };
}
