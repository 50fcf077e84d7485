import { describe, expect, it } from 'vitest';
import { evaluateContact, messageContentProblems, requiredDisclosures, stepContact } from '../../../domain/regulation/index.js';
import { stateOverrides } from '../../../domain/regulation/state-overrides.js';
import { suitThreats } from '../../../domain/regulation/time-barred.js';
import { planStep } from '../../../domain/step-plan.js';
import { at, facts } from './facts.js';

const timeBarred = { timeBarred: { at: at('2026-05-01T12:00:00Z'), source: 'import' } };
const now = at('2026-05-04T15:00:00Z');
const caDisclosure = stateOverrides.CA?.timeBarredDisclosure ?? '';
const nyDisclosure = stateOverrides.NY?.timeBarredDisclosure ?? '';

describe('time-barred debt (12 CFR 1006.26(b))', () => {
  it('forbids litigation and nothing else', () => {
    const theFacts = facts({ flags: timeBarred });
    expect(evaluateContact({ channel: 'none', action: 'litigation', now, facts: theFacts })).toEqual({
      kind: 'barred',
      reason: 'the debt is time-barred: no suit and no threat of suit (12 CFR 1006.26(b))',
    });
    expect(evaluateContact({ channel: 'none', action: 'referral', now, facts: theFacts })).toEqual({ kind: 'permitted' });
    expect(evaluateContact({ channel: 'letter', now, facts: theFacts })).toEqual({ kind: 'permitted' });
    expect(evaluateContact({ channel: 'none', action: 'litigation', now, facts: facts() })).toEqual({ kind: 'permitted' });
  });

  it('skips a legal review step of a time-barred case', () => {
    const step = { id: 'legal', at: 'P0D', action: 'legal_review' as const };
    expect(stepContact(step)).toEqual({ channel: 'none', action: 'litigation' });
    expect(planStep({ step, startedAt: now, now, facts: facts({ flags: timeBarred }), window: { start: '08:00', end: '21:00' }, policy: {} })).toEqual({
      kind: 'skip',
      reason: 'the debt is time-barred: no suit and no threat of suit (12 CFR 1006.26(b))',
    });
  });

  it.each([
    ['We may sue you if you do not pay.', ['sue']],
    ['Pay now to avoid legal action and wage garnishment.', ['legal action', 'garnishment']],
    ['Our attorneys will seek a judgment.', ['our attorneys', 'judgment']],
    ['Please pay your balance of $500.00.', []],
    ['This issue should be pursued.', []],
  ])('finds threats of suit in %j', (text, expected) => {
    expect(suitThreats(text)).toEqual(expected);
  });

  it.each<[string, string | undefined, string, string[]]>([
    ['a plain message in a state without a disclosure', 'IL', 'Please pay $500.00.', []],
    ['a threat anywhere', 'IL', 'Pay or we will take you to court.', ['the debt is time-barred: the message must not threaten suit ("take you to court")']],
    ['California without its disclosure', 'CA', 'Please pay $500.00.', ['a time-barred debt needs the disclosure required by California Civil Code 1788.14(d)']],
    ['California with it (its words about suing are no threat)', 'CA', `Please pay $500.00.\n\n${caDisclosure}`, []],
    ['New York with it, reflowed', 'NY', `Please pay.\n${nyDisclosure.replace(/ /g, '\n')}`, []],
    ['New York with it and a threat', 'NY', `We will sue. ${nyDisclosure}`, ['the debt is time-barred: the message must not threaten suit ("sue")']],
  ])('content of a time-barred letter: %s', (_name, state, body, expected) => {
    expect(messageContentProblems({ channel: 'letter', body, facts: facts({ flags: timeBarred, ...(state ? { state } : {}) }) })).toEqual(expected);
  });

  it('asks for the disclosure only when the debt is time-barred and the state requires one', () => {
    expect(requiredDisclosures(facts({ flags: timeBarred, state: 'CA' }))).toEqual([caDisclosure]);
    expect(requiredDisclosures(facts({ flags: timeBarred, state: 'TX' }))).toEqual([]);
    expect(requiredDisclosures(facts({ state: 'CA' }))).toEqual([]);
    expect(messageContentProblems({ channel: 'letter', body: 'We will sue.', facts: facts() })).toEqual([]);
  });
});
