import { identityMethodsFor, ZSelfServicePolicy, type TSelfServicePolicy } from '../../../domain/self-service-policy.js';
import { LinkPurpose, verifyLinkToken } from '../../../domain/template-links.js';
import type { Db } from '../../../lib/db.js';

/**
 * What a `{{links.pay}}` token stands for: the message it came in (whose case, strategy and arm
 * the funnel credits) and the person it was sent to. The token is the communication id signed
 * with LINK_SECRET (domain/template-links.ts), so it cannot be forged or pointed at another
 * person; it expires `selfService.linkDays` after its message was written (the message's row
 * fixes that instant, so every send attempt rendered the same link).
 */

export interface Visit {
  communicationId: string;
  caseId: string;
  debtorId: string;
  strategyKey: string;
  arm: string | null;
  language: string;
  selfService: TSelfServicePolicy;
}

export type VisitLookup = { ok: true; visit: Visit } | { ok: false; reason: 'invalid' | 'expired' | 'off' };

const dayMs = 86_400_000;

export async function visitOf({ db, linkSecret, token, now = Date.now() }: { db: Db; linkSecret: string; token: string; now?: number }): Promise<VisitLookup> {
  const communicationId = verifyLinkToken(linkSecret, LinkPurpose.pay, token);
  if (!communicationId) return { ok: false, reason: 'invalid' };
  const row = await db.communication.findUnique({
    where: { id: communicationId },
    select: {
      createdAt: true,
      case: { select: { id: true, arm: true, strategy: { select: { key: true, definition: true } }, account: { select: { portfolio: true, debtor: { select: { id: true, mergedIntoId: true, language: true } } } } } },
    },
  });
  if (!row) return { ok: false, reason: 'invalid' };
  const definition = row.case.strategy.definition as { selfService?: unknown } | null;
  const selfService = ZSelfServicePolicy.safeParse(definition?.selfService ?? {});
  const policy = selfService.success ? selfService.data : ZSelfServicePolicy.parse({});
  if (!policy.enabled) return { ok: false, reason: 'off' };
  if (row.createdAt.getTime() + policy.linkDays * dayMs < now) return { ok: false, reason: 'expired' };
  const { debtor, portfolio } = row.case.account;
  return {
    ok: true,
    visit: {
      communicationId,
      caseId: row.case.id,
      // A person merged into another since the message went out is now that other person.
      debtorId: debtor.mergedIntoId ?? debtor.id,
      strategyKey: row.case.strategy.key,
      arm: row.case.arm,
      language: debtor.language,
      // The portfolio's checks, when the strategy names its own for it.
      selfService: { ...policy, identity: identityMethodsFor(policy, portfolio) },
    },
  };
}
