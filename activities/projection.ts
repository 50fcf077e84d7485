import type { Db } from '../lib/db.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { CaseEvent, CaseEventOf, CaseState } from '../workflows/case-messages.js';

/**
 * The case's read model: its current state plus its events as audit rows, payments and contact
 * changes, written in one transaction. Safe to retry: events carry a unique key, and a state
 * older than what is already stored is ignored.
 */

export interface ProjectCaseInput {
  caseId: string;
  seq: number;
  state: Pick<CaseState, 'status' | 'closeReason' | 'balance' | 'currentStep' | 'nextActionAt' | 'nextActionWhy'>;
  events: CaseEvent[];
}

export function createProjectionActivities({ db }: { db: Db }) {
  return {
    async projectCase({ caseId, seq, state, events }: ProjectCaseInput): Promise<void> {
      await db.$transaction(async (tx) => {
        const current = await tx.case.findUniqueOrThrow({ where: { id: caseId }, include: { account: true } });
        if (seq >= current.projectedSeq) {
          await tx.case.update({
            where: { id: caseId },
            data: {
              status: state.status,
              closeReason: state.closeReason,
              balance: state.balance,
              currentStep: state.currentStep,
              nextActionAt: state.nextActionAt ? new Date(state.nextActionAt) : null,
              nextActionWhy: state.nextActionWhy,
              projectedSeq: seq,
              closedAt: state.status === 'closed' ? (current.closedAt ?? new Date()) : null,
            },
          });
          await tx.account.update({ where: { id: current.accountId }, data: { balance: state.balance } });
        }
        if (events.length === 0) return;

        await tx.auditEvent.createMany({
          data: events.map((event) => ({
            caseId,
            actor: 'workflow',
            action: event.type,
            at: new Date(event.at),
            // Event data is plain JSON (it travelled through Temporal as JSON).
            data: { seq: event.seq, detail: event.detail, stepId: event.stepId ?? null, ...event.data } as Prisma.InputJsonObject,
            idempotencyKey: `${caseId}#${event.seq}`,
          })),
          skipDuplicates: true,
        });

        const payments = events.filter((event): event is CaseEventOf<'payment_applied'> => event.type === 'payment_applied');
        if (payments.length > 0) {
          await tx.payment.createMany({
            data: payments.map(({ data }) => ({
              caseId,
              reference: data.reference,
              amount: data.amount,
              currency: data.currency,
              receivedAt: new Date(data.receivedAt),
            })),
            skipDuplicates: true,
          });
        }
        // A returned payment stays on record; reports stop counting it from its reversal on.
        for (const event of events) {
          if (event.type !== 'payment_reversed') continue;
          await tx.payment.updateMany({ where: { caseId, reference: event.data.reference, reversedAt: null }, data: { reversedAt: new Date(event.at) } });
        }

        for (const event of events) {
          const change = contactChange(event);
          if (!change) continue;
          const where = { debtorId: current.account.debtorId, channel: change.channel };
          if (change.kind === 'opted_out') {
            await tx.contact.updateMany({ where, data: { optedOutAt: new Date(event.at), optOutSource: change.source } });
          } else if (change.kind === 'opted_in') {
            await tx.contact.updateMany({ where, data: { optedOutAt: null, optOutSource: null } });
          } else {
            await tx.contact.updateMany({ where, data: { status: 'invalid' } });
          }
        }
      });
    },
  };
}

/** What an event changes about one of the debtor's contacts: an opt-out, an opt-in, or an address found invalid. */
function contactChange(event: CaseEvent): { kind: 'opted_out' | 'opted_in' | 'invalid'; channel: string; source: string } | null {
  switch (event.type) {
    case 'opted_out':
    case 'opted_in':
      return { kind: event.type, channel: event.data.channel, source: event.data.source };
    case 'step_failed':
      return event.data?.type === 'InvalidRecipient' && event.data.channel ? { kind: 'invalid', channel: event.data.channel, source: 'provider' } : null;
    default:
      return null;
  }
}
