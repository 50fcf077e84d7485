/**
 * A fixed-offset IANA zone where it is midday (±30 min) at `now`. Cases whose debtor lives there
 * are never held by the inconvenient-time rule (8 a.m.–9 p.m.) at the start of a test, whatever
 * the wall clock says when the test runs.
 */
export function middayZone(now = new Date()): string {
  const offset = ((12 - now.getUTCHours() + 36) % 24) - 12; // hours to add to UTC, in -12..11
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
