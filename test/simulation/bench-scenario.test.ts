import { describe, expect, it } from 'vitest';
import { simulatorThroughput } from '../../bench/scenarios/simulator.js';

/** Bench scenario 8 at a tiny size, so `npm run bench -- --only 8` cannot rot. */
describe('bench scenario 8: the pure simulator', () => {
  it('simulates both arms on the same debtors and reports its rate, memory and the paired difference', () => {
    const result = simulatorThroughput({ cases: 150, days: 90, runs: 3, arms: 2, seed: 3, sharedPersons: 0.1 });
    expect(result.settings).toMatchObject({ cases: 150, days: 90, runs: 3, arms: 2 });
    expect(result.settings.casesSharingAPerson).toBeGreaterThan(0);
    expect(result.figures.case_days_per_s).toBeGreaterThan(0);
    expect(result.figures.rss_mib).toBeGreaterThan(0);
    expect(result.figures.champion_recovery_rate).toBeGreaterThan(0);
    expect(result.figures.champion_recovery_rate).toBeLessThanOrEqual(1);
    expect(result.figures.difference_low).toBeLessThanOrEqual(result.figures.difference_high ?? Number.NaN);
  });
});
