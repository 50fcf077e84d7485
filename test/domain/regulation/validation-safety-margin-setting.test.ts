import { describe, expect, it } from 'vitest';
import { effectiveContactRules } from '../../../domain/regulation/policy.js';
import { ZStrategyDefinition } from '../../../domain/strategy.js';
import { contactPolicyOf } from '../../../domain/timeline.js';
import { consumerEarly } from '../../support/strategies.js';

/** The validation period's safety margin is a named strategy setting that reaches the rules, off unless set. */

const withNotice = (validationNotice: Record<string, unknown>) => ZStrategyDefinition.safeParse({ ...consumerEarly, contact: { validationNotice } });

describe('validationNotice.safetyMarginDays', () => {
  it('reaches the rules from a strategy that sets it', () => {
    const parsed = withNotice({ templates: ['demand'], safetyMarginDays: 3 });
    expect(parsed.success).toBe(true);
    expect(effectiveContactRules({ policy: contactPolicyOf(parsed.data!), facts: {} }).validationSafetyMarginDays).toBe(3);
  });

  it('is off when the strategy does not set it', () => {
    const parsed = withNotice({ templates: ['demand'] });
    expect(effectiveContactRules({ policy: contactPolicyOf(parsed.data!), facts: {} }).validationSafetyMarginDays).toBe(0);
  });

  it('is refused, by name, below 0 or as a fraction', () => {
    for (const bad of [-1, 1.5]) {
      const parsed = withNotice({ templates: ['demand'], safetyMarginDays: bad });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]!.path).toEqual(['contact', 'validationNotice', 'safetyMarginDays']);
    }
  });
});
