import { describe, expect, it } from 'vitest';
import type { Regime } from '../../domain/portfolio.js';
import { lintStrategy } from '../../domain/strategy-lint.js';
import { consumerEarly, strategy } from '../support/strategies.js';

/**
 * The lint's regime rules: under a third-party collector's or a debt buyer's portfolio the
 * validation notice comes first. The generated notice (the default) always does; turned off, a
 * step carrying a notice template must come before every other contact; turned off altogether,
 * the strategy fails. Each problem names the offending field or step. A first-party portfolio,
 * or no portfolio, asks none of this.
 */

const withNotice = (validationNotice: Record<string, unknown>, steps = consumerEarly.steps) => strategy({ ...consumerEarly, steps, contact: { validationNotice } });
const problems = (definition: ReturnType<typeof strategy>, regime?: Regime) => lintStrategy(definition, regime ? { regime } : {}).map(({ path, message }) => ({ path: path.join('.'), message }));

describe('lint under a collector regime', () => {
  it('passes the generated notice (the default), whatever the timeline contacts first', () => {
    expect(problems(strategy(consumerEarly), 'third_party')).toEqual([]);
    expect(problems(withNotice({ generate: true }), 'debt_buyer')).toEqual([]);
  });

  it('fails a strategy that turns the notice off, at contact.validationNotice.required', () => {
    expect(problems(withNotice({ required: false }), 'third_party')).toEqual([
      { path: 'contact.validationNotice.required', message: 'a third-party collector must give the validation notice (12 CFR 1006.34): it cannot be turned off' },
    ]);
    expect(problems(withNotice({ required: false }), 'debt_buyer')[0]?.message).toMatch(/^a debt buyer must give/);
  });

  it('fails the generated notice turned off with no step carrying a notice template', () => {
    expect(problems(withNotice({ generate: false }), 'third_party').map((problem) => problem.path)).toEqual(['contact.validationNotice.generate']);
    // Named as the carrier, but no step sends it.
    expect(problems(withNotice({ generate: false, templates: ['nudge'] }, consumerEarly.steps.filter((step) => step.id !== 'nudge')), 'third_party').map((problem) => problem.path)).toEqual([
      'contact.validationNotice.generate',
    ]);
  });

  it('fails each step that contacts the debtor before the step that carries the notice, by its path', () => {
    // The letter (P10D) carries it: the email (P0D) and the SMS (P3D) come before it.
    const found = problems(withNotice({ generate: false, templates: ['demand'] }), 'third_party');
    expect(found.map((problem) => problem.path)).toEqual(['steps.0', 'steps.1']);
    expect(found[0]?.message).toBe('step "reminder" (email) contacts the debtor before the validation notice, which step "letter" sends: a third-party collector sends the notice first');
    // The first step carries it: nothing comes before.
    expect(problems(withNotice({ generate: false, templates: ['reminder'] }), 'third_party')).toEqual([]);
    // A note before the notice reaches no one.
    const noteFirst = [{ id: 'plan', at: 'P0D', action: 'note', note: 'check the file' }, ...consumerEarly.steps.slice(2)];
    expect(problems(withNotice({ generate: false, templates: ['demand'] }, noteFirst), 'third_party')).toEqual([]);
  });

  it('asks nothing of a first-party portfolio, or without a regime', () => {
    expect(problems(withNotice({ required: false }), 'first_party')).toEqual([]);
    expect(problems(withNotice({ generate: false, templates: ['demand'] }))).toEqual([]);
  });
});
