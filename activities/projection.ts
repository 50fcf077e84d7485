import type { Db } from '../lib/db.js';
import type { CaseEvent, CaseState } from '../workflows/case-messages.js';

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
            data: { seq: event.seq, detail: event.detail, stepId: event.stepId ?? null, ...event.data },
            idempotencyKey: `${caseId}#${event.seq}`,
          })),
          skipDuplicates: true,
        });

        const payments = events.filter((event) => event.type === 'payment_applied');
        if (payments.length > 0) {
          await tx.payment.createMany({
            data: payments.map(({ data }) => ({
              caseId,
              reference: String(data?.reference),
              amount: Number(data?.amount),
              currency: String(data?.currency),
              receivedAt: new Date(String(data?.receivedAt)),
            })),
            skipDuplicates: true,
          });
        }
        // A returned payment stays on record; reports stop counting it from its reversal on.
        for (const event of events.filter((candidate) => candidate.type === 'payment_reversed')) {
          await tx.payment.updateMany({ where: { caseId, reference: String(event.data?.reference), reversedAt: null }, data: { reversedAt: new Date(event.at) } });
        }

        for (const event of events) {
          const channel = typeof event.data?.channel === 'string' ? event.data.channel : null;
          if (!channel) continue;
          const where = { debtorId: current.account.debtorId, channel };
          if (event.type === 'opted_out') {
            await tx.contact.updateMany({ where, data: { optedOutAt: new Date(event.at), optOutSource: String(event.data?.source) } });
          } else if (event.type === 'opted_in') {
            await tx.contact.updateMany({ where, data: { optedOutAt: null, optOutSource: null } });
          } else if (event.type === 'step_failed' && event.data?.type === 'InvalidRecipient') {
            await tx.contact.updateMany({ where, data: { status: 'invalid' } });
          }
        }
      });
    },
  };
}
