import type { Db } from '../lib/db.js';
import { ensureCaseFilePackage, markCaseFileDelivered } from './case-file.js';
import { createCaseFileDelivery, type AgencyProviderSettings } from './case-file-delivery.js';

/**
 * Agency referral: the placement is recorded once per case, and the case file (JSON + PDF, see
 * activities/case-file.ts) is packaged once per referral and delivered through the adapter: the
 * agency outbox folder by default, an HTTP provider when AGENCY_PROVIDER_URL is set. A retry
 * finds the stored package and, once delivered, does not deliver it again.
 */
export function createAgencyActivities({ db, outboxDir, provider }: { db: Db; outboxDir: string; provider?: AgencyProviderSettings | undefined }) {
  const delivery = createCaseFileDelivery({ outboxDir, provider });
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
      if (!stored.deliveredAt) {
        const { location } = await delivery.deliver({
          packageId: stored.id,
          caseId,
          purpose: stored.purpose,
          json: stored.document,
          sha256: stored.sha256,
          pdf: Buffer.from(stored.pdf),
          pdfSha256: stored.pdfSha256,
        });
        await markCaseFileDelivered(db, stored, location, `case file delivered to agency ${placement.agency}`);
      }
      return { placementId: placement.id };
    },
  };
}
