import type { Db } from '../lib/db.js';
import { ensureCaseFilePackage, markCaseFileDelivered } from '../records/case-file.js';
import { createCaseFileDelivery, type AgencyProviderSettings } from './case-file-delivery.js';
import { caseDaysPastDue, createTaskActivities } from './tasks.js';

/** How long a referral may keep failing before an officer is told; it is still retried after. */
export const referralAlertAfterMs = 60 * 60_000;

/**
 * Agency referral: the placement is recorded once per case, and the case file (JSON + PDF, see
 * records/case-file.ts) is packaged once per referral and delivered through the adapter: the
 * agency outbox folder by default, an HTTP provider when AGENCY_PROVIDER_URL is set. A retry
 * finds the stored package and, once delivered, does not deliver it again. An agency that is down,
 * rate-limits or refuses our credentials is retried until it accepts (the referral must not be
 * lost), and after an hour an escalation task says so, once per referral; it is closed when the
 * agency accepts. A request it will never take fails at once (case-file-delivery.ts), and the
 * case asks a person to place it.
 */
export function createAgencyActivities({ db, outboxDir, provider }: { db: Db; outboxDir: string; provider?: AgencyProviderSettings | undefined }) {
  const delivery = createCaseFileDelivery({ outboxDir, provider });
  const tasks = createTaskActivities({ db });
  return {
    async referToAgency({
      caseId,
      idempotencyKey,
      agency,
      balance,
      currency,
    }: {
      caseId: string;
      stepId: string;
      idempotencyKey: string;
      agency: string;
      balance: number;
      currency: string;
    }): Promise<{ placementId: string }> {
      const placement = await db.agencyPlacement.upsert({
        where: { caseId },
        create: { caseId, agency, balance, currency },
        update: {},
      });
      const stored = await ensureCaseFilePackage(db, { caseId, purpose: 'agency', idempotencyKey, placementId: placement.id });
      const alertKey = `${idempotencyKey}/referral-failing`;
      if (!stored.deliveredAt) {
        let location: string;
        try {
          ({ location } = await delivery.deliver({
            packageId: stored.id,
            caseId,
            purpose: stored.purpose,
            json: stored.document,
            sha256: stored.sha256,
            pdf: Buffer.from(stored.pdf),
            pdfSha256: stored.pdfSha256,
          }));
        } catch (error) {
          if (Date.now() - stored.createdAt.getTime() >= referralAlertAfterMs) {
            const why = error instanceof Error ? error.message : String(error);
            await tasks.createTask({
              caseId,
              idempotencyKey: alertKey,
              kind: 'escalation',
              reason: `the referral to agency ${placement.agency} has failed since ${stored.createdAt.toISOString()} (${why}); it is retried until the agency accepts it: check the agency connection and what it answers`,
              balance,
              daysPastDue: await caseDaysPastDue(db, caseId),
            });
          }
          throw error;
        }
        await markCaseFileDelivered(db, stored, location, `case file delivered to agency ${placement.agency}`);
        // The alert, if one was raised, has nothing left for an officer to do.
        await db.task.updateMany({
          where: { idempotencyKey: alertKey, status: { in: ['open', 'claimed'] } },
          data: { status: 'done', outcome: 'resolved', outcomeNote: 'the agency accepted the referral', completedAt: new Date() },
        });
      }
      return { placementId: placement.id };
    },
  };
}
