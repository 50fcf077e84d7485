import { readFileSync } from 'node:fs';
import { parseStrategyDefinition, type TStep, type TStrategyDefinition } from '../../domain/strategy.js';
import type { CaseStrategy } from '../../workflows/case-messages.js';
import type { BenchStack } from './stack.js';

/**
 * Strategies for the bench: the templates of examples/consumer-early.json with a contact window
 * that is open all day, so the contact-window rule never holds a send during a run (debtors are
 * also placed in a zone where it is midday, see {@link middayZone}).
 */

export const wideContactHours = { start: '00:00', end: '23:59' } as const;

const example = JSON.parse(readFileSync(new URL('../../examples/consumer-early.json', import.meta.url), 'utf8')) as Record<string, unknown>;

export { middayZone } from '../../testing/midday-zone.js';

/** The example strategy under another key, with other steps if given, and the wide window. */
export function benchDefinition(key: string, steps?: TStep[]): TStrategyDefinition {
  const parsed = parseStrategyDefinition({ ...example, key, name: `Bench: ${key}`, ...(steps ? { steps } : {}), contact: { allowedHours: wideContactHours } });
  if (!parsed.ok) throw new Error(`bench strategy ${key} is invalid: ${JSON.stringify(parsed.problems)}`);
  return parsed.value;
}

/** The example's own timeline (60 days, ending in agency referral). */
export function consumerEarlyDefinition(key: string): TStrategyDefinition {
  return benchDefinition(key);
}

/** A 120-day timeline for the strategy simulation. */
export function longTimeline(): TStep[] {
  return [
    { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' },
    { id: 'nudge', at: 'P3D', action: 'sms', template: 'nudge' },
    { id: 'letter', at: 'P10D', action: 'letter', template: 'demand' },
    { id: 'call', at: 'P14D', action: 'call' },
    { id: 'reminder-2', at: 'P30D', action: 'email', template: 'reminder' },
    { id: 'nudge-2', at: 'P45D', action: 'sms', template: 'nudge' },
    { id: 'letter-2', at: 'P60D', action: 'letter', template: 'demand' },
    { id: 'call-2', at: 'P75D', action: 'call' },
    { id: 'reminder-3', at: 'P90D', action: 'email', template: 'reminder' },
    { id: 'letter-3', at: 'P105D', action: 'letter', template: 'demand' },
    { id: 'agency', at: 'P120D', action: 'agency_referral', agency: 'default' },
  ];
}

/** Saves the definition through the API (as a manager would) and returns the version cases start with. */
export async function saveStrategy(stack: BenchStack, definition: TStrategyDefinition): Promise<CaseStrategy> {
  const { status, body } = await stack.call('POST', '/api/v1/strategies', { body: definition });
  if (status !== 201) throw new Error(`saving strategy ${definition.key} answered ${status}: ${JSON.stringify(body)}`);
  return { id: String(body.id), key: String(body.key), version: Number(body.version), definition: body.definition as TStrategyDefinition };
}
