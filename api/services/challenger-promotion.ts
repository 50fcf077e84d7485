import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { conflict, notFound } from '../errors.js';
import { asOf } from './reports/as-of.js';
import { championChallengerReport } from './reports/champion-challenger.js';
import { requireSegmentRules, saveSegmentRules, type SegmentRuleSetView } from './segments.js';

/**
 * Promoting a segment's challenger: one action that makes the challenger the segment's strategy
 * and ends the split, as a new version of the segment rules, with an audit event
 * (`challenger_promoted`) carrying the comparison the manager saw, in the same transaction.
 * Running cases keep their strategy; new accounts of the segment start on the promoted one.
 */
export async function promoteChallenger({ db, segmentId, actor, reason, now = new Date() }: { db: Db; segmentId: string; actor: string; reason?: string | undefined; now?: Date }): Promise<SegmentRuleSetView> {
  const active = await requireSegmentRules(db);
  const segment = active.rules.segments.find((candidate) => candidate.id === segmentId);
  if (!segment) throw notFound(`segment "${segmentId}" in the active segment rules`);
  if (!segment.challenger) throw conflict('no_challenger', `segment "${segmentId}" has no challenger to promote`);
  const { challenger } = segment;
  const statistics = await championChallengerReport({ db, at: asOf(undefined, now), segment: segmentId });
  const rules = {
    segments: active.rules.segments.map((candidate) => {
      if (candidate.id !== segmentId) return candidate;
      const { challenger: _ended, ...rest } = candidate;
      return { ...rest, strategy: challenger.strategy };
    }),
  };
  return saveSegmentRules({
    db,
    rules,
    actor,
    audit: {
      action: 'challenger_promoted',
      data: {
        segment: segmentId,
        from: segment.strategy,
        to: challenger.strategy,
        percent: challenger.percent,
        ...(reason ? { reason } : {}),
        statistics: statistics.comparisons.map(({ currency, arms, recovery }) => ({ currency, arms, recovery })) as unknown as Prisma.InputJsonValue,
      },
    },
  });
}
