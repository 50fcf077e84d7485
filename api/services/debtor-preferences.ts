import { z } from 'zod';
import { preferenceChanges } from '../../domain/debtor-preference-changes.js';
import { preferencesOf, ZContactMedium, ZContactPlace, ZDesignatedTimeInput, type DebtorPreferences } from '../../domain/debtor-preferences.js';
import { templateLanguages } from '../../domain/disclosures.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { writePerson, type PersonWriteRequest } from './debtor-writes.js';

/**
 * What the person told us, set through the API (PUT: each field named replaces what is stored;
 * a field left out stays as it is). Times, places and media keep who said so and when: entries
 * already stored keep their original source and time, new ones get this request's.
 */

export const ZPreferencesPut = z
  .object({
    language: z.enum(templateLanguages).optional(),
    /** null clears it. */
    preferredChannel: ZContactMedium.nullable().optional(),
    inconvenientTimes: z.array(ZDesignatedTimeInput).max(50).optional(),
    refusedPlaces: z.array(ZContactPlace).max(4).refine((places) => new Set(places).size === places.length, 'names a place twice').optional(),
    refusedMedia: z
      .array(z.object({ medium: ZContactMedium, address: z.string().trim().min(1).max(320).optional() }).strict())
      .max(20)
      .optional(),
    /** The person's prior consent, given directly, to be called (12 CFR 1006.14(b)(3)(i)); false withdraws it. */
    callConsent: z.boolean().optional(),
    /** Who said so: `debtor` (the person, e.g. on a call) unless named. */
    source: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
export type TPreferencesPut = z.infer<typeof ZPreferencesPut>;

export function preferencesView(language: string, stored: unknown) {
  const preferences = preferencesOf(stored);
  const iso = (at: number) => new Date(at).toISOString();
  return {
    language,
    preferredChannel: preferences.preferredChannel ?? null,
    inconvenientTimes: (preferences.inconvenientTimes ?? []).map(({ at, ...time }) => ({ ...time, at: iso(at) })),
    refusedPlaces: (preferences.refusedPlaces ?? []).map(({ at, ...place }) => ({ ...place, at: iso(at) })),
    refusedMedia: (preferences.refusedMedia ?? []).map(({ at, ...medium }) => ({ ...medium, at: iso(at) })),
    callConsent: preferences.callConsent ? { source: preferences.callConsent.source, at: iso(preferences.callConsent.at) } : null,
  };
}
export type PreferencesView = ReturnType<typeof preferencesView>;

const sameTime = (a: { from: string; to: string; days?: number[] | undefined; media?: string[] | undefined }, b: typeof a) =>
  a.from === b.from && a.to === b.to && JSON.stringify(a.days ?? null) === JSON.stringify(b.days ?? null) && JSON.stringify(a.media ?? null) === JSON.stringify(b.media ?? null);

/** The stored preferences after `body`, keeping each unchanged entry's provenance. */
export function applyPreferences(current: DebtorPreferences, body: TPreferencesPut, provenance: { at: number; source: string }): DebtorPreferences {
  const next: DebtorPreferences = { ...current };
  if (body.preferredChannel !== undefined) {
    if (body.preferredChannel === null) delete next.preferredChannel;
    else next.preferredChannel = body.preferredChannel;
  }
  if (body.inconvenientTimes !== undefined) {
    next.inconvenientTimes = body.inconvenientTimes.map((time) => {
      const kept = current.inconvenientTimes?.find((old) => sameTime(old, time));
      return kept ?? { ...provenance, from: time.from, to: time.to, ...(time.days ? { days: time.days } : {}), ...(time.media ? { media: time.media } : {}) };
    });
  }
  if (body.refusedPlaces !== undefined) {
    next.refusedPlaces = body.refusedPlaces.map((place) => current.refusedPlaces?.find((old) => old.place === place) ?? { ...provenance, place });
  }
  if (body.refusedMedia !== undefined) {
    next.refusedMedia = body.refusedMedia.map(
      (medium) => current.refusedMedia?.find((old) => old.medium === medium.medium && old.address === medium.address) ?? { ...provenance, ...medium },
    );
  }
  if (body.callConsent !== undefined) {
    if (!body.callConsent) next.callConsent = null;
    else if (!current.callConsent) next.callConsent = provenance;
  }
  for (const list of ['inconvenientTimes', 'refusedPlaces', 'refusedMedia'] as const) if (next[list]?.length === 0) delete next[list];
  if (next.callConsent === null) delete next.callConsent;
  return next;
}

type Common = Pick<PersonWriteRequest<unknown>, 'db' | 'temporal' | 'debtorId' | 'scope' | 'actor' | 'idempotencyKey'>;

export async function putPreferences(common: Common & { body: TPreferencesPut }) {
  const { body, actor } = common;
  return writePerson<PreferencesView>({
    ...common,
    action: 'debtor_preferences_changed',
    request: body,
    answerAgain: async (db) => {
      const row = await db.debtor.findUniqueOrThrow({ where: { id: common.debtorId } });
      return preferencesView(row.language, row.preferences);
    },
    async apply(tx, person, at) {
      const provenance = { at: at.getTime(), source: body.source ?? 'debtor' };
      const before = { preferences: preferencesOf(person.preferences), language: person.language };
      const after = { preferences: applyPreferences(before.preferences, body, provenance), language: body.language ?? person.language };
      const changes = preferenceChanges(before, after, { source: actor, at: at.getTime() });
      if (changes.length === 0) return { result: preferencesView(person.language, person.preferences), changed: false, changes };
      await tx.debtor.update({ where: { id: person.id }, data: { language: after.language, preferences: after.preferences as Prisma.InputJsonValue } });
      return { result: preferencesView(after.language, after.preferences), changed: true, changes, before, after };
    },
  });
}
