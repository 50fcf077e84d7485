import { describe, expect, it } from 'vitest';
import { armSums, comparePayingShare, compareRecovery, normalCdf, recoveryRate, type ArmCase } from '../../api/services/reports/significance.js';

/** Arms of `n` cases of 1,000.00 placed each, `paid` of them paid in full. */
const arm = (n: number, paid: number): ArmCase[] => Array.from({ length: n }, (_, index) => ({ placed: 100_000, collected: index < paid ? 100_000 : 0 }));

describe('champion/challenger statistics', () => {
  it('knows the normal distribution', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644854)).toBeCloseTo(0.05, 6);
  });

  it("gives the ratio estimator's standard error, worked by hand", () => {
    // R = 100 / 200 = 0.5; residuals -50 and +50; SE = sqrt(5000 / (2 x 1)) / 100 = 0.5.
    const estimate = recoveryRate(armSums([{ placed: 100, collected: 0 }, { placed: 100, collected: 100 }]));
    expect(estimate.rate).toBe(0.5);
    expect(estimate.standardError).toBeCloseTo(0.5, 12);
    // Weighted by dollars: a large paid case moves the rate more than a small one.
    expect(recoveryRate(armSums([{ placed: 900, collected: 900 }, { placed: 100, collected: 0 }])).rate).toBe(0.9);
  });

  it('calls 20% against 40% of 100 cases each significant, and equal arms not', () => {
    const apart = compareRecovery(armSums(arm(100, 20)), armSums(arm(100, 40)));
    expect(apart.test).toBe('welch_z_ratio');
    expect(apart.difference).toBeCloseTo(0.2, 12);
    // SEs sqrt(0.2*0.8/99) and sqrt(0.4*0.6/99): z = 0.2 / 0.0636 = 3.15.
    expect(apart.z).toBeCloseTo(0.2 / Math.sqrt((0.2 * 0.8 + 0.4 * 0.6) / 99), 6);
    expect(apart.pValue).toBeLessThan(0.01);
    expect(apart.verdict).toBe('significant');
    expect(apart.low).toBeGreaterThan(0);

    const same = compareRecovery(armSums(arm(100, 30)), armSums(arm(100, 30)));
    expect(same.difference).toBe(0);
    expect(same.pValue).toBeCloseTo(1, 6);
    expect(same.verdict).toBe('not_significant');

    // 30% against 36% of 100 each: z ≈ 0.9, not enough to tell.
    expect(compareRecovery(armSums(arm(100, 30)), armSums(arm(100, 36))).verdict).toBe('not_significant');
  });

  it('gives no verdict under 30 cases an arm', () => {
    expect(compareRecovery(armSums(arm(20, 2)), armSums(arm(20, 18))).verdict).toBe('too_few_cases');
    expect(compareRecovery(armSums([]), armSums(arm(100, 40))).verdict).toBe('too_few_cases');
  });

  it('compares the share of cases paying by the two-proportion z-test', () => {
    // Pooled 0.3: SE = sqrt(0.3 x 0.7 x (1/100 + 1/100)) = 0.0648; z = 3.086; p = 0.0020.
    const share = comparePayingShare(armSums(arm(100, 20)), armSums(arm(100, 40)));
    expect(share.test).toBe('two_proportion_z');
    expect(share.z).toBeCloseTo(3.086, 3);
    expect(share.pValue).toBeCloseTo(0.00203, 4);
    expect(share.verdict).toBe('significant');
  });
});
