import type { CaseFacts } from '../case-facts.js';
import type { ContactAction } from './actions.js';
import { stateOverride, stateOverrides, type StateOverrideTable } from './state-overrides.js';

/**
 * Time-barred debt (12 CFR 1006.26(b)): no suit and no threat of suit; some states also require a
 * disclosure in every communication (state-overrides.ts).
 */

export function litigationBar(action: ContactAction, facts: CaseFacts): string | null {
  if (action !== 'litigation' || !facts.flags?.timeBarred) return null;
  return 'the debt is time-barred: no suit and no threat of suit (12 CFR 1006.26(b))';
}

const threat =
  /\b(sue|sued|suing|lawsuits?|legal action|legal proceedings|take you to court|court action|file (a )?suit|litigation|judge?ments?|garnish\w*|our attorneys?|attorneys? will)\b/gi;

/** The words in `text` that sue or threaten suit (distinct, lower case, in order of appearance). */
export function suitThreats(text: string): string[] {
  return [...new Set([...text.matchAll(threat)].map((match) => match[0].toLowerCase()))];
}

/** The disclosure the debtor's state requires on a time-barred debt, or `null`. */
export function timeBarredDisclosure(facts: CaseFacts, table: StateOverrideTable = stateOverrides): { text: string; source: string } | null {
  if (!facts.flags?.timeBarred) return null;
  const override = stateOverride(facts.state, table);
  return override?.timeBarredDisclosure ? { text: override.timeBarredDisclosure, source: override.source } : null;
}

const normalise = (text: string): string => text.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * Problems with a rendered message about a time-barred debt: wording that threatens suit, or a
 * missing state disclosure. The disclosure's own words (it may mention suits) are not a threat.
 */
export function timeBarredContentProblems({
  body,
  facts,
  overrides = stateOverrides,
}: {
  body: string;
  facts: CaseFacts;
  overrides?: StateOverrideTable;
}): string[] {
  if (!facts.flags?.timeBarred) return [];
  const problems: string[] = [];
  const disclosure = timeBarredDisclosure(facts, overrides);
  let text = normalise(body);
  if (disclosure) {
    const required = normalise(disclosure.text);
    if (text.includes(required)) text = text.split(required).join(' ');
    else problems.push(`a time-barred debt needs the disclosure required by ${disclosure.source}`);
  }
  const threats = suitThreats(text);
  if (threats.length > 0) problems.push(`the debt is time-barred: the message must not threaten suit (${threats.map((word) => `"${word}"`).join(', ')})`);
  return problems;
}
