/**
 * What a balance is made of, in integer minor units. The balance is always the sum of the parts,
 * never a number of its own (Regulation F's itemization, and a collector may not collect what it
 * cannot say the origin of).
 */

export const components = ['principal', 'interest', 'fees'] as const;
export type Component = (typeof components)[number];
export type Components = Readonly<Record<Component, number>>;

export const noComponents: Components = { principal: 0, interest: 0, fees: 0 };

/** The balance: the sum of the parts. */
export function total(parts: Components): number {
  return parts.principal + parts.interest + parts.fees;
}

/** `a + b`, part by part (`sign` -1 for `a - b`). */
export function addComponents(a: Components, b: Components, sign: 1 | -1 = 1): Components {
  return { principal: a.principal + sign * b.principal, interest: a.interest + sign * b.interest, fees: a.fees + sign * b.fees };
}
