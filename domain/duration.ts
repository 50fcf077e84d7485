import { DateTime, Duration } from 'luxon';

/** True when `value` is an ISO-8601 duration such as `P3D`, `PT2H` or `P1M2DT3H`. */
export function isIsoDuration(value: string): boolean {
  // Luxon also accepts `PT`, `P1DT` and negative parts (`P-1D`), which ISO-8601 does not.
  return /^P(?!T?$)[^-]*(?<!T)$/.test(value) && Duration.fromISO(value).isValid;
}

/**
 * The instant `offset` after `start`, calendar-aware in UTC (so `P1M` from 31 Jan is 28/29 Feb,
 * not a fixed 30 days).
 *
 * @param start epoch milliseconds
 * @param offset ISO-8601 duration
 * @returns epoch milliseconds
 */
export function addIsoDuration(start: number, offset: string): number {
  const duration = Duration.fromISO(offset);
  if (!duration.isValid) throw new Error(`invalid ISO-8601 duration: ${offset}`);
  return DateTime.fromMillis(start, { zone: 'utc' }).plus(duration).toMillis();
}

/** Compares two offsets by where they land from a fixed reference start. */
export function compareIsoDurations(a: string, b: string): number {
  const reference = Date.UTC(2001, 0, 1);
  return addIsoDuration(reference, a) - addIsoDuration(reference, b);
}
