import { isDeepStrictEqual } from 'node:util';
import type { TemplateLanguage } from './disclosures.js';
import { personFlags, type DebtorPreferences } from './debtor-preferences.js';
import type { PersonChange } from '../workflows/person-messages.js';

/**
 * What the person workflow must hear when a person's stored preferences change (a PUT, a flag, a
 * merge or its undo): the changes in the person contract's own terms (workflows/person-messages.ts),
 * in the order they apply. Pure, so the API's writes and a merge say the same thing.
 */

export interface PersonSettings {
  preferences: DebtorPreferences;
  language: string;
}

const same = (a: unknown, b: unknown) => isDeepStrictEqual(a ?? null, b ?? null);
const key = (value: object) => JSON.stringify(Object.entries(value).filter(([name]) => name !== 'at' && name !== 'source').sort());

export function preferenceChanges(before: PersonSettings, after: PersonSettings, { source, at }: { source: string; at: number }): PersonChange[] {
  const changes: PersonChange[] = [];
  const [was, now] = [before.preferences, after.preferences];
  if (before.language !== after.language || !same(was.preferredChannel, now.preferredChannel)) {
    changes.push({
      kind: 'preferences',
      ...(before.language !== after.language ? { language: after.language as TemplateLanguage } : {}),
      ...(!same(was.preferredChannel, now.preferredChannel) ? { preferredChannel: now.preferredChannel ?? null } : {}),
      source,
      at,
    });
  }
  if (!same(was.inconvenientTimes, now.inconvenientTimes)) changes.push({ kind: 'designations', inconvenientTimes: now.inconvenientTimes ?? [], source, at });
  if (!same(was.callConsent, now.callConsent)) {
    changes.push({ kind: 'call_consent', granted: Boolean(now.callConsent), source: now.callConsent?.source ?? source, at: now.callConsent?.at ?? at });
  }
  for (const flag of personFlags) {
    const [had, has] = [was.flags?.[flag], now.flags?.[flag]];
    if (!had && has) changes.push({ kind: 'compliance', event: { type: 'flag_set', flag, at: has.at, source: has.source } });
    if (had && !has) changes.push({ kind: 'compliance', event: { type: 'flag_cleared', flag, at, source } });
  }
  const [placesWere, placesNow] = [was.refusedPlaces ?? [], now.refusedPlaces ?? []];
  const [mediaWere, mediaNow] = [was.refusedMedia ?? [], now.refusedMedia ?? []];
  for (const refusal of placesNow.filter((item) => !placesWere.some((old) => key(old) === key(item)))) {
    changes.push({ kind: 'compliance', event: { type: 'place_refused', place: refusal.place, at: refusal.at, source: refusal.source } });
  }
  for (const refusal of mediaNow.filter((item) => !mediaWere.some((old) => key(old) === key(item)))) {
    changes.push({ kind: 'compliance', event: { type: 'medium_refused', medium: refusal.medium, ...(refusal.address ? { address: refusal.address } : {}), at: refusal.at, source: refusal.source } });
  }
  const withdrawn =
    placesWere.some((old) => !placesNow.some((item) => key(old) === key(item))) || mediaWere.some((old) => !mediaNow.some((item) => key(old) === key(item)));
  if (withdrawn) changes.push({ kind: 'refusals', refusedPlaces: placesNow, refusedMedia: mediaNow, source, at });
  return changes;
}

/** Both persons' preferences as one (a merge): every restriction of either holds; the survivor's choices stand where both chose. */
export function combinedPreferences(survivor: DebtorPreferences, merged: DebtorPreferences): DebtorPreferences {
  const union = <T extends object>(a: T[] = [], b: T[] = []) => [...a, ...b.filter((item) => !a.some((mine) => key(mine) === key(item)))];
  const flags = { ...merged.flags, ...survivor.flags };
  const consents = [survivor.callConsent, merged.callConsent].filter((item): item is NonNullable<typeof item> => Boolean(item));
  const combined: DebtorPreferences = {
    ...(survivor.preferredChannel ?? merged.preferredChannel ? { preferredChannel: survivor.preferredChannel ?? merged.preferredChannel ?? null } : {}),
    inconvenientTimes: union(survivor.inconvenientTimes, merged.inconvenientTimes),
    refusedPlaces: union(survivor.refusedPlaces, merged.refusedPlaces),
    refusedMedia: union(survivor.refusedMedia, merged.refusedMedia),
    // The latest consent the person gave (on either record) is the one in force.
    ...(consents.length ? { callConsent: consents.reduce((a, b) => (b.at > a.at ? b : a)) } : {}),
    ...(Object.keys(flags).length ? { flags } : {}),
  };
  for (const list of ['inconvenientTimes', 'refusedPlaces', 'refusedMedia'] as const) if (combined[list]?.length === 0) delete combined[list];
  return combined;
}
