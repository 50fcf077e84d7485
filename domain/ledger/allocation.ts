import { noComponents, type Component, type Components } from './components.js';

/**
 * The order a payment pays the parts of a balance, chosen by the portfolio: most agreements and
 * state laws let a collector take fees, then interest, then principal; some portfolios (and some
 * settlements) apply money to principal first so that less interest accrues.
 */
export const waterfalls = {
  fees_interest_principal: ['fees', 'interest', 'principal'],
  principal_interest_fees: ['principal', 'interest', 'fees'],
} as const satisfies Record<string, readonly Component[]>;
export type Waterfall = keyof typeof waterfalls;

export interface Allocation {
  /** What the payment took from each part; never more than the part held. */
  applied: Components;
  /** What was left over once every part was paid: a credit owed back to the person, not a negative part. */
  unapplied: number;
}

/**
 * Splits `amount` over the parts `owed` holds, in the waterfall's order.
 *
 * @param amount a payment or credit, integer minor units, ≥ 0
 */
export function allocate(amount: number, owed: Components, waterfall: Waterfall): Allocation {
  let left = amount;
  const applied: Record<Component, number> = { ...noComponents };
  for (const part of waterfalls[waterfall]) {
    const take = Math.min(left, Math.max(0, owed[part]));
    applied[part] = take;
    left -= take;
  }
  return { applied, unapplied: left };
}
