import { z } from 'zod';

/**
 * Assignment rules: who owns a case, as data a manager sets. The first rule whose `when` matches
 * the case wins; it names one officer, or deals the cases round-robin among officers (those it
 * lists, else every active officer key of the case's team). A case no rule matches keeps its owner
 * (none for a new case). Officers are named by their API key's id (`keyId`).
 */

const ZRuleId = z.string().trim().min(1).max(64).regex(/^[\w.-]+$/, 'letters, digits, _ . - only');
const ZOfficerId = z.string().trim().min(1).max(100);
const ZMinor = z.number().int('must be a whole number of minor units').nonnegative();

export const ZAssignmentMatch = z
  .object({
    /** The case's officers' team. */
    team: z.string().trim().min(1).max(64).optional(),
    /** The segment whose rule chose the case's strategy at enrollment. */
    segment: z.string().trim().min(1).max(100).optional(),
    /** Balance band in minor units: `min` included, `max` excluded. */
    balance: z.object({ min: ZMinor.optional(), max: ZMinor.optional() }).strict().optional(),
    currency: z.string().length(3).optional(),
  })
  .strict();

export const ZAssignTo = z.union([
  z.object({ officer: ZOfficerId }).strict(),
  z.object({ roundRobin: z.object({ officers: z.array(ZOfficerId).min(1).max(500).optional() }).strict() }).strict(),
]);

export const ZAssignmentRule = z.object({ id: ZRuleId, when: ZAssignmentMatch.default({}), assign: ZAssignTo }).strict();

export const ZAssignmentRuleSet = z
  .object({ rules: z.array(ZAssignmentRule).max(500) })
  .strict()
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', index, 'id'], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
      const band = rule.when.balance;
      if (band?.min !== undefined && band.max !== undefined && band.min >= band.max) {
        ctx.addIssue({ code: 'custom', path: ['rules', index, 'when', 'balance'], message: 'the band is empty: min must be below max' });
      }
      if ('roundRobin' in rule.assign && !rule.assign.roundRobin.officers && !rule.when.team) {
        ctx.addIssue({ code: 'custom', path: ['rules', index, 'assign', 'roundRobin', 'officers'], message: "list the officers, or match a team (when.team) to deal among that team's officers" });
      }
    });
  });

export type TAssignmentRule = z.infer<typeof ZAssignmentRule>;
export type TAssignmentRuleSet = z.infer<typeof ZAssignmentRuleSet>;

/** What the rules read from a case. */
export interface AssignableCase {
  team: string | null;
  segment: string | null;
  balance: number;
  currency: string;
}

export function ruleMatches(rule: TAssignmentRule, subject: AssignableCase): boolean {
  const { team, segment, balance, currency } = rule.when;
  if (team !== undefined && subject.team !== team) return false;
  if (segment !== undefined && subject.segment !== segment) return false;
  if (currency !== undefined && subject.currency !== currency) return false;
  if (balance?.min !== undefined && subject.balance < balance.min) return false;
  if (balance?.max !== undefined && subject.balance >= balance.max) return false;
  return true;
}

/** The first rule that matches, or null. */
export function matchingRule(set: TAssignmentRuleSet, subject: AssignableCase): TAssignmentRule | null {
  return set.rules.find((rule) => ruleMatches(rule, subject)) ?? null;
}

/** The officer whose turn `turn` (1 for the first case dealt) is, in a pool dealt in order. */
export function officerForTurn(pool: readonly string[], turn: number): string | null {
  if (pool.length === 0) return null;
  return pool[(((turn - 1) % pool.length) + pool.length) % pool.length] ?? null;
}
