import { describe, expect, it } from 'vitest';
import { assignArm, assignmentBucket, chooseStrategy, ZSegmentRuleSet, type SegmentAccount, type TSegmentRuleSet } from '../../domain/segments.js';

/** Segment rules (first match wins) and the champion/challenger split (stable, in proportion). */

const rules: TSegmentRuleSet = ZSegmentRuleSet.parse({
  segments: [
    { id: 'b2b', match: { product: ['invoice', 'trade-credit'] }, strategy: 'small-business-b2b' },
    { id: 'charged-off', match: { minDaysPastDue: 180 }, strategy: 'post-charge-off' },
    { id: 'acme-high-risk', match: { portfolio: 'acme', minRiskScore: 700 }, strategy: 'consumer-intensive' },
    {
      id: 'consumer-small',
      match: { maxBalance: 99_999 },
      strategy: 'consumer-early',
      challenger: { strategy: 'consumer-early-sms-first', percent: 20 },
    },
    { id: 'consumer', match: {}, strategy: 'consumer-early' },
  ],
});

const account = (overrides: Partial<SegmentAccount> = {}): SegmentAccount => ({ externalId: 'ACC-1', balance: 150_000, daysPastDue: 30, ...overrides });

describe('chooseStrategy', () => {
  it.each<[string, Partial<SegmentAccount>, string, string]>([
    ['a product listed by the first segment', { product: 'invoice', daysPastDue: 400 }, 'b2b', 'small-business-b2b'],
    ['days past due at the bound (inclusive)', { daysPastDue: 180 }, 'charged-off', 'post-charge-off'],
    ['one day under the bound falls through', { daysPastDue: 179 }, 'consumer', 'consumer-early'],
    ['portfolio and risk score both holding', { portfolio: 'acme', riskScore: 700 }, 'acme-high-risk', 'consumer-intensive'],
    ['a risk score under the range', { portfolio: 'acme', riskScore: 699 }, 'consumer', 'consumer-early'],
    ['no risk score where a range is asked', { portfolio: 'acme' }, 'consumer', 'consumer-early'],
    ['another portfolio', { portfolio: 'globex', riskScore: 900 }, 'consumer', 'consumer-early'],
    ['no product where a product is asked', { daysPastDue: 10 }, 'consumer', 'consumer-early'],
  ])('%s', (_name, overrides, segmentId, strategy) => {
    expect(chooseStrategy(rules, account(overrides))).toMatchObject({ segmentId, strategy, arm: 'champion' });
  });

  it('answers null when no segment matches', () => {
    const narrow = ZSegmentRuleSet.parse({ segments: [{ id: 'only-acme', match: { portfolio: ['acme'] }, strategy: 'x' }] });
    expect(chooseStrategy(narrow, account({ portfolio: 'globex' }))).toBeNull();
  });
});

describe('the champion/challenger split', () => {
  it('gives the same account the same arm every time, and records the bucket it came from', () => {
    for (let index = 0; index < 200; index++) {
      const externalId = `ACC-${index}`;
      const first = chooseStrategy(rules, account({ externalId, balance: 50_000 }));
      const again = chooseStrategy(rules, account({ externalId, balance: 50_000 }));
      expect(again).toEqual(first);
      expect(first?.bucket).toBe(assignmentBucket('consumer-small', externalId));
    }
  });

  it('depends on the segment as well as the account, so two splits are independent', () => {
    const ids = Array.from({ length: 1_000 }, (_, index) => `ACC-${index}`);
    const a = ids.map((id) => assignArm('segment-a', id, 50).arm);
    const b = ids.map((id) => assignArm('segment-b', id, 50).arm);
    const same = a.filter((arm, index) => arm === b[index]).length;
    // Independent halves agree about half the time; identical assignment would agree always.
    expect(same).toBeGreaterThan(400);
    expect(same).toBeLessThan(600);
  });

  it.each([1, 10, 20, 50, 90])('sends %i percent of 10,000 accounts to the challenger, within ±1.5 points', (percent) => {
    const set = ZSegmentRuleSet.parse({ segments: [{ id: 'all', match: {}, strategy: 'champion', challenger: { strategy: 'challenger', percent } }] });
    let challengers = 0;
    for (let index = 0; index < 10_000; index++) {
      const choice = chooseStrategy(set, account({ externalId: `LOAN-${index.toString().padStart(6, '0')}` }));
      if (choice?.arm === 'challenger') {
        challengers++;
        expect(choice.strategy).toBe('challenger');
      } else {
        expect(choice?.strategy).toBe('champion');
      }
    }
    expect(Math.abs((challengers / 10_000) * 100 - percent)).toBeLessThanOrEqual(1.5);
  });

  it('keeps an account in its arm when the split grows: only champions move to the challenger', () => {
    const ids = Array.from({ length: 2_000 }, (_, index) => `ACC-${index}`);
    for (const id of ids) {
      if (assignArm('s', id, 10).arm === 'challenger') expect(assignArm('s', id, 30).arm).toBe('challenger');
    }
  });
});

describe('segment rule lint', () => {
  const problems = (input: unknown) => {
    const result = ZSegmentRuleSet.safeParse(input);
    return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
  };

  it.each<[string, unknown, { path: (string | number)[]; message: string }[]]>([
    ['a duplicate id', { segments: [{ id: 'a', match: { portfolio: 'x' }, strategy: 's' }, { id: 'a', match: { portfolio: 'y' }, strategy: 's' }] }, [{ path: ['segments', 1, 'id'], message: 'duplicate segment id "a"' }]],
    ['an empty balance range', { segments: [{ id: 'a', match: { minBalance: 10, maxBalance: 9 }, strategy: 's' }] }, [{ path: ['segments', 0, 'match'], message: 'the balance range is empty (min above max): the segment can never match' }]],
    ['a challenger that is the champion', { segments: [{ id: 'a', strategy: 's', challenger: { strategy: 's', percent: 10 } }] }, [{ path: ['segments', 0, 'challenger', 'strategy'], message: 'the challenger is the champion strategy itself' }]],
    ['a segment after a catch-all', { segments: [{ id: 'all', strategy: 's' }, { id: 'late', match: { portfolio: 'x' }, strategy: 't' }] }, [{ path: ['segments', 1], message: 'segment "late" can never match: "all" comes first and takes every account it would' }]],
    ['a narrower range after a wider one', { segments: [{ id: 'wide', match: { minBalance: 0, maxBalance: 1000 }, strategy: 's' }, { id: 'narrow', match: { minBalance: 10, maxBalance: 20, product: 'x' }, strategy: 't' }] }, [{ path: ['segments', 1], message: 'segment "narrow" can never match: "wide" comes first and takes every account it would' }]],
    ['a percent of 100', { segments: [{ id: 'a', strategy: 's', challenger: { strategy: 't', percent: 100 } }] }, [{ path: ['segments', 0, 'challenger', 'percent'], message: 'Too big: expected number to be <100' }]],
  ])('refuses %s', (_name, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ['a wider segment after a narrower one', { segments: [{ id: 'narrow', match: { maxBalance: 100 }, strategy: 's' }, { id: 'wide', match: { maxBalance: 1000 }, strategy: 't' }] }],
    ['a segment with a risk range before one without (accounts without a score fall through)', { segments: [{ id: 'risky', match: { minRiskScore: 0 }, strategy: 's' }, { id: 'rest', strategy: 't' }] }],
    ['a listed portfolio after another', { segments: [{ id: 'a', match: { portfolio: ['x'] }, strategy: 's' }, { id: 'b', match: { portfolio: ['x', 'y'] }, strategy: 't' }] }],
  ])('accepts %s', (_name, input) => {
    expect(problems(input)).toEqual([]);
  });
});
