/**
 * What one rule says about a contact at one instant. `evaluateContact` (index.ts) combines the
 * answers of every rule that applies.
 */
export type RuleOutcome =
  /** Never permitted as the facts stand: the step is skipped. */
  | { kind: 'bar'; why: string }
  /** Not permitted until some fact changes (a notice sent, a dispute verified): no time is known. */
  | { kind: 'suspend'; why: string }
  /** Not permitted before `until` (epoch ms); `zone` is where that instant is best read. */
  | { kind: 'hold'; until: number; why: string; zone: string };

export type Hold = Extract<RuleOutcome, { kind: 'hold' }>;

/** The hold that ends last, so one step of the fixed point moves as far as any rule demands. */
export function latestHold(holds: readonly (Hold | null)[]): Hold | null {
  let latest: Hold | null = null;
  for (const hold of holds) if (hold && (!latest || hold.until > latest.until)) latest = hold;
  return latest;
}
