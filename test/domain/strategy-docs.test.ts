import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stepActions } from '../../domain/step-actions.js';
import { parseStrategyDefinition, type TStrategyDefinition } from '../../domain/strategy.js';
import { strategyDocPaths, strategyLanguageDoc } from '../../scripts/strategy-docs.js';

const committed = readFileSync(strategyDocPaths.output, 'utf8');

/** Every ```json block of the page, each a whole strategy. */
function examples(markdown: string): { source: string; value: unknown }[] {
  return [...markdown.matchAll(/```json\n([\s\S]*?)```/g)].map(([, source = '']) => ({ source, value: JSON.parse(source) }));
}

describe('docs/strategy-language.md', () => {
  it('is what the generator writes from the schema and the guide (run `npm run docs:strategy` when this fails)', () => {
    expect(committed === strategyLanguageDoc(), 'docs/strategy-language.md is stale: run `npm run docs:strategy` and commit it').toBe(true);
  });

  it('documents every field of the schema with its description', () => {
    for (const field of ['steps[]', 'steps[].when', 'steps[].fallback', 'negotiation.officerAuthority', 'contact.validationNotice', 'on.reply']) {
      expect(committed).toContain(`### ${field}`);
    }
    // A field without a description leaves an empty last cell.
    expect(committed.split('\n').filter((line) => line.startsWith('| `') && line.endsWith('|  |'))).toEqual([]);
  });

  const parsed = examples(committed).map(({ source, value }) => {
    const result = parseStrategyDefinition(value);
    return { source, result };
  });

  it('has worked examples that the schema and the lint accept', () => {
    expect(parsed.length).toBeGreaterThanOrEqual(8);
    for (const { source, result } of parsed) expect(result.ok ? [] : result.problems, source).toEqual([]);
  });

  it('shows every action, a fallback of each form, `on`, negotiation, contact policy and a managed template in its examples', () => {
    const strategies = parsed.flatMap(({ result }) => (result.ok ? [result.value] : []));
    const steps = strategies.flatMap((strategy: TStrategyDefinition) => strategy.steps);
    expect(new Set(steps.map((step) => step.action))).toEqual(new Set(stepActions));
    expect(steps.some((step) => typeof step.fallback === 'string')).toBe(true);
    expect(steps.some((step) => typeof step.fallback === 'object')).toBe(true);
    expect(steps.some((step) => step.when !== undefined)).toBe(true);
    expect(strategies.some((strategy) => strategy.on?.reply !== undefined && strategy.on.brokenPromise !== undefined)).toBe(true);
    expect(strategies.some((strategy) => strategy.negotiation.officerAuthority.maxSettlementDiscountPercent > 0)).toBe(true);
    expect(strategies.some((strategy) => strategy.contact.validationNotice.templates.length > 0)).toBe(true);
    expect(strategies.some((strategy) => Object.values(strategy.templates).some((template) => template.managed))).toBe(true);
  });
});
