import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Segment rules choose the strategy for an account enrolled without one: the first segment whose
 * match holds wins. A segment may split its accounts between its strategy (the champion) and a
 * challenger: a fixed share, assigned by a hash of the segment id and the account's external id,
 * so the same account always lands in the same arm and the assignment can be recomputed and
 * audited. (node:crypto: the workflow never imports this file.)
 */

const ZKey = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lowercase letters, digits, "-" and "_"');

/** One value or a list of values; the account's must be one of them. */
const ZOneOrMany = z.union([z.string().min(1).max(100), z.array(z.string().min(1).max(100)).min(1)]);

export const ZSegmentMatch = z
  .object({
    portfolio: ZOneOrMany.optional(),
    product: ZOneOrMany.optional(),
    /** Minor units, inclusive. */
    minBalance: z.number().int().nonnegative().optional(),
    maxBalance: z.number().int().nonnegative().optional(),
    minDaysPastDue: z.number().int().nonnegative().optional(),
    maxDaysPastDue: z.number().int().nonnegative().optional(),
    minRiskScore: z.number().finite().optional(),
    maxRiskScore: z.number().finite().optional(),
  })
  .strict();
export type TSegmentMatch = z.infer<typeof ZSegmentMatch>;

export const ZSegmentRule = z
  .object({
    id: ZKey,
    name: z.string().min(1).max(200).optional(),
    /** Every condition given must hold; an empty match takes every account. */
    match: ZSegmentMatch.default({}),
    /** The champion strategy's key. */
    strategy: ZKey,
    /** A share of the segment goes to another strategy, to compare the two. */
    challenger: z
      .object({
        strategy: ZKey,
        /** Percent of the segment's accounts, 0 < percent < 100. */
        percent: z.number().gt(0).lt(100),
      })
      .strict()
      .optional(),
  })
  .strict();
export type TSegmentRule = z.infer<typeof ZSegmentRule>;

export const ZSegmentRuleSet = z
  .object({
    segments: z.array(ZSegmentRule).min(1, 'a rule set needs at least one segment'),
  })
  .strict()
  .superRefine((ruleSet, ctx) => {
    for (const problem of segmentProblems(ruleSet)) ctx.addIssue({ code: 'custom', ...problem });
  });
export type TSegmentRuleSet = z.infer<typeof ZSegmentRuleSet>;

export interface SegmentProblem {
  path: (string | number)[];
  message: string;
}

const values = (value: string | string[] | undefined) => (value === undefined ? undefined : typeof value === 'string' ? [value] : value);

type Range = [number, number];
const rangeOf = (min: number | undefined, max: number | undefined): Range => [min ?? Number.NEGATIVE_INFINITY, max ?? Number.POSITIVE_INFINITY];
const ranges = (match: TSegmentMatch): Record<'balance' | 'daysPastDue' | 'riskScore', Range> => ({
  balance: rangeOf(match.minBalance, match.maxBalance),
  daysPastDue: rangeOf(match.minDaysPastDue, match.maxDaysPastDue),
  riskScore: rangeOf(match.minRiskScore, match.maxRiskScore),
});

/** True when every account `inner` matches is matched by `outer` too. */
function covers(outer: TSegmentMatch, inner: TSegmentMatch): boolean {
  const outerRanges = ranges(outer);
  const innerRanges = ranges(inner);
  for (const dimension of ['balance', 'daysPastDue', 'riskScore'] as const) {
    const [outerMin, outerMax] = outerRanges[dimension];
    const [innerMin, innerMax] = innerRanges[dimension];
    // An unconstrained inner range (which also takes accounts without a risk score) fits only an unconstrained outer one.
    if (innerMin < outerMin || innerMax > outerMax) return false;
  }
  for (const dimension of ['portfolio', 'product'] as const) {
    const outerValues = values(outer[dimension]);
    const innerValues = values(inner[dimension]);
    if (outerValues && (!innerValues || !innerValues.every((value) => outerValues.includes(value)))) return false;
  }
  return true;
}

/** Problems zod's shape cannot see: duplicates, empty ranges, segments that can never match. */
function segmentProblems(ruleSet: TSegmentRuleSet): SegmentProblem[] {
  const problems: SegmentProblem[] = [];
  const seen = new Set<string>();
  ruleSet.segments.forEach((segment, index) => {
    const path = ['segments', index];
    if (seen.has(segment.id)) problems.push({ path: [...path, 'id'], message: `duplicate segment id "${segment.id}"` });
    seen.add(segment.id);
    const match = segment.match;
    for (const [dimension, [min, max]] of Object.entries(ranges(match))) {
      if (min > max) problems.push({ path: [...path, 'match'], message: `the ${dimension} range is empty (min above max): the segment can never match` });
    }
    if (segment.challenger?.strategy === segment.strategy) {
      problems.push({ path: [...path, 'challenger', 'strategy'], message: 'the challenger is the champion strategy itself' });
    }
    const shadow = ruleSet.segments.slice(0, index).find((earlier) => covers(earlier.match, match));
    if (shadow) {
      problems.push({ path, message: `segment "${segment.id}" can never match: "${shadow.id}" comes first and takes every account it would` });
    }
  });
  return problems;
}

/** What the segment rules read from an account. */
export interface SegmentAccount {
  externalId: string;
  /** Minor units. */
  balance: number;
  daysPastDue: number;
  portfolio?: string | undefined;
  product?: string | undefined;
  riskScore?: number | undefined;
}

function inRange(value: number | undefined, min: number | undefined, max: number | undefined): boolean {
  if (min === undefined && max === undefined) return true;
  if (value === undefined) return false;
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}

export function segmentMatches(match: TSegmentMatch, account: SegmentAccount): boolean {
  const portfolios = values(match.portfolio);
  const products = values(match.product);
  return (
    (!portfolios || (account.portfolio !== undefined && portfolios.includes(account.portfolio))) &&
    (!products || (account.product !== undefined && products.includes(account.product))) &&
    inRange(account.balance, match.minBalance, match.maxBalance) &&
    inRange(account.daysPastDue, match.minDaysPastDue, match.maxDaysPastDue) &&
    inRange(account.riskScore, match.minRiskScore, match.maxRiskScore)
  );
}

export type Arm = 'champion' | 'challenger';

/** Buckets per percent point: assignment resolution is a hundredth of a percent. */
const bucketsPerPercent = 100;

/** The account's stable bucket in 0..9999 for this segment: sha256 of `${segmentId}:${externalId}`. */
export function assignmentBucket(segmentId: string, externalId: string): number {
  const digest = createHash('sha256').update(`${segmentId}:${externalId}`).digest();
  return digest.readUInt32BE(0) % (100 * bucketsPerPercent);
}

export function assignArm(segmentId: string, externalId: string, challengerPercent: number): { arm: Arm; bucket: number } {
  const bucket = assignmentBucket(segmentId, externalId);
  return { arm: bucket < challengerPercent * bucketsPerPercent ? 'challenger' : 'champion', bucket };
}

export interface StrategyChoice {
  segmentId: string;
  strategy: string;
  arm: Arm;
  /** The hash bucket the arm came from, recorded so the assignment can be checked. */
  bucket: number;
}

/** The strategy for a new account: the first matching segment's, or its challenger's; null when none matches. */
export function chooseStrategy(ruleSet: TSegmentRuleSet, account: SegmentAccount): StrategyChoice | null {
  const segment = ruleSet.segments.find((candidate) => segmentMatches(candidate.match, account));
  if (!segment) return null;
  const { arm, bucket } = assignArm(segment.id, account.externalId, segment.challenger?.percent ?? 0);
  const strategy = arm === 'challenger' && segment.challenger ? segment.challenger.strategy : segment.strategy;
  return { segmentId: segment.id, strategy, arm, bucket };
}
