import type { Prisma } from '../../../generated/prisma/client.js';
import type { Db } from '../../../lib/db.js';
import type { Visit } from './visit.js';

/**
 * What happened on the debtor's page, in the audit trail (append-only, as every act on a case):
 * each event names the message that brought the person (`communicationId`), its strategy and
 * champion/challenger arm, so the funnel report (api/services/reports/page-funnel.ts) can tell
 * which message earns money. Answers given to the identity check are never recorded.
 */

export const PageEvent = {
  opened: 'debtor_page_opened',
  identityConfirmed: 'debtor_page_identity_confirmed',
  identityFailed: 'debtor_page_identity_failed',
  identityLocked: 'debtor_page_identity_locked',
  paid: 'debtor_page_paid',
  plan: 'debtor_page_plan',
  promise: 'debtor_page_promise',
  dispute: 'debtor_page_dispute',
  autopay: 'debtor_page_autopay',
  callback: 'debtor_page_callback',
  preferences: 'debtor_page_preferences',
} as const;
export type PageEvent = (typeof PageEvent)[keyof typeof PageEvent];

/** The actor of the page's own acts in the trail and on outcomes. */
export const pageActor = 'debtor_page';

type Writer = Pick<Db, 'auditEvent'> | Prisma.TransactionClient;

export async function recordPageEvent(
  db: Writer,
  { action, visit, caseId, data, idempotencyKey }: { action: PageEvent; visit: Pick<Visit, 'communicationId' | 'caseId' | 'debtorId' | 'strategyKey' | 'arm'>; caseId?: string; data?: Record<string, unknown>; idempotencyKey?: string },
): Promise<void> {
  await db.auditEvent.createMany({
    data: [
      {
        caseId: caseId ?? visit.caseId,
        debtorId: visit.debtorId,
        actor: pageActor,
        action,
        data: { communicationId: visit.communicationId, strategy: visit.strategyKey, arm: visit.arm, ...data },
        ...(idempotencyKey ? { idempotencyKey } : {}),
      },
    ],
    // The first open of a message's link is the one the funnel counts.
    skipDuplicates: true,
  });
}
