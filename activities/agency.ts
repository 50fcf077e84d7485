import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../lib/db.js';

/**
 * Agency referral: the placement is recorded once per case and the case file is delivered to the
 * agency outbox folder (the default delivery adapter).
 */
export function createAgencyActivities({ db, outboxDir }: { db: Db; outboxDir: string }) {
  return {
    async referToAgency({
      caseId,
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
      const caseFile = await db.case.findUniqueOrThrow({
        where: { id: caseId },
        include: {
          account: { include: { debtor: { include: { contacts: true } } } },
          communications: { orderBy: { createdAt: 'asc' } },
          payments: { orderBy: { receivedAt: 'asc' } },
        },
      });
      await mkdir(outboxDir, { recursive: true });
      await writeFile(
        path.join(outboxDir, `${placement.id}.json`),
        JSON.stringify({ placement, case: caseFile }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2),
      );
      return { placementId: placement.id };
    },
  };
}
