import { z } from 'zod';

/**
 * Dates and instants as every boundary accepts them (API bodies, queries, outcomes, previews):
 * ISO-8601, years 1900–2200. No debt, payment or reply we handle predates 1900, and nothing we
 * plan (the longest payment plan is 120 months) reaches past 2200; a year outside that is a typo
 * (`1759`, `9999`, `20026`), which unbounded it would be stored, scheduled or reported on — a
 * reminder timer set for the year 9999, an aging report bucketed by it. The bound stays fixed
 * (not "now ± n years") so that the same input is valid on every day and on replay.
 *
 * Factories, not constants: the workflow bundle loads domain/ modules per case, and building zod
 * schemas there costs CPU that only an update's validator needs (see domain/outcomes.ts).
 */

export const earliestYear = 1900;
export const latestYear = 2200;

const yearOf = (text: string) => Number(/^[+-]?\d+/.exec(text)?.[0] ?? Number.NaN);
/** Without a year to read the format check alone speaks: one error per field, not two. */
const inRange = (text: string) => {
  const year = yearOf(text);
  return Number.isNaN(year) || (year >= earliestYear && year <= latestYear);
};
const rangeMessage = `the year must be between ${earliestYear} and ${latestYear}`;

/** A calendar date, `YYYY-MM-DD`. */
export function calendarDateSchema(message = 'must be a date YYYY-MM-DD') {
  return z.iso.date(message).refine(inRange, rangeMessage);
}

/** An instant with its offset, `2026-01-05T09:00:00Z`. */
export function instantSchema(message = 'must be an ISO-8601 instant such as 2026-01-05T09:00:00Z') {
  return z.iso.datetime({ offset: true, message }).refine(inRange, rangeMessage);
}
