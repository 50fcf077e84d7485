/**
 * A fixed-offset IANA zone where it is midday (±30 min) at `now`. Cases whose debtor lives there
 * are never held by the inconvenient-time rule (8 a.m.–9 p.m.) at the start of a test, whatever
 * the wall clock says when the test runs.
 */
export function middayZone(now = new Date()): string {
  const offset = ((12 - now.getUTCHours() + 36) % 24) - 12; // hours to add to UTC, in -12..11
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** US places with a single zone each, far enough apart that one of them is in daytime at any hour. */
const places = [
  { line1: '1 Calle Fortaleza', city: 'San Juan', region: 'PR', postalCode: '00901', timeZone: 'America/Puerto_Rico' },
  { line1: '1 Main St', city: 'Chicago', region: 'IL', postalCode: '60601', timeZone: 'America/Chicago' },
  { line1: '1 Spring St', city: 'Los Angeles', region: 'CA', postalCode: '90012', timeZone: 'America/Los_Angeles' },
  { line1: '1 King St', city: 'Honolulu', region: 'HI', postalCode: '96813', timeZone: 'Pacific/Honolulu' },
  { line1: '1 Marine Dr', city: 'Hagatna', region: 'GU', postalCode: '96910', timeZone: 'Pacific/Guam' },
] as const;

/**
 * A postal address where it is daytime (10:00–18:00) at `now`, and its zone. A US address adds its
 * state's zones to those the contact rules check, so a test whose debtor has one needs the place
 * itself to be awake, whatever the wall clock says when the test runs. Around 11:00 UTC it is
 * night in every US state and territory: then the address names no state (it adds no zone) and
 * the zone is {@link middayZone}'s.
 */
export function daytimeAddress(now = new Date()): { address: { line1: string; city: string; region?: string; postalCode: string; country: 'US' }; timeZone: string } {
  const hourIn = (timeZone: string) => Number(new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(now));
  const place = places.find(({ timeZone }) => hourIn(timeZone) >= 10 && hourIn(timeZone) < 18);
  if (!place) return { address: { line1: '1 Main St', city: 'Springfield', postalCode: '00000', country: 'US' }, timeZone: middayZone(now) };
  const { timeZone, ...address } = place;
  return { address: { ...address, country: 'US' }, timeZone };
}

/**
 * Milliseconds from `now` until 10:00 in `timeZone`, or 0 when it is already daytime (10:00–18:00)
 * there: how far a time-skipping test moves its clock so that a debtor whose address names that
 * place can be contacted, whatever the wall clock says when the test runs.
 */
export function untilDaytimeIn(timeZone: string, now: Date): number {
  const local = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(now);
  const hour = Number(local.find((part) => part.type === 'hour')?.value);
  const minute = Number(local.find((part) => part.type === 'minute')?.value);
  if (hour >= 10 && hour < 18) return 0;
  return ((((10 - hour + 24) % 24) * 60 - minute + 24 * 60) % (24 * 60)) * 60_000;
}
