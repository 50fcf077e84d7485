import { z } from 'zod';
import { channelIds } from './channels/index.js';
import type { ComplianceFlag, ContactMedium, ContactPlace, DesignatedTime, Provenance, RefusedMedium, RefusedPlace } from './case-facts.js';

/**
 * What a person told us that holds for all their debts, as the Debtor row keeps it
 * (`Debtor.preferences`, JSON): preferred channel, designated inconvenient times, refused places
 * and media, consent to be called, and the person-level flags. The API validates writes with the
 * Z* schemas below; records/persons.ts turns the stored shape into the person workflow's facts.
 */

export const contactMedia = [...channelIds, 'phone'] as const satisfies readonly ContactMedium[];
export const ZContactMedium = z.enum(contactMedia);

export const contactPlaces = ['home', 'work', 'mobile', 'other'] as const satisfies readonly ContactPlace[];
export const ZContactPlace = z.enum(contactPlaces);

/** Flags that speak of the person (time-barred stays per debt, on the account). */
export const personFlags = ['ceaseCommunication', 'attorneyRepresented', 'bankruptcy', 'deceased'] as const satisfies readonly ComplianceFlag[];
export type PersonFlag = (typeof personFlags)[number];
export const ZPersonFlag = z.enum(personFlags);

/** A local time `HH:MM`, 00:00 to 23:59; `24:00` only as an end (the end of the day). */
const clock = /^([01]\d|2[0-3]):[0-5]\d$/;
const minutesOf = (time: string) => (time === '24:00' ? 24 * 60 : Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5)));

/**
 * One designated inconvenient time as the API receives it: `from` inclusive, `to` exclusive, local
 * times of the person's zones; `from` must be before `to`. A time across midnight ("not after 21:00
 * nor before 9:00") is two entries, `21:00`–`24:00` and `00:00`–`09:00`: one rule, with no guess
 * about which day a wrapped interval belongs to when `days` are named. `days` are ISO weekdays
 * (1 Monday ... 7 Sunday), every day when absent; `media` limits it (e.g. calls only).
 */
export const ZDesignatedTimeInput = z
  .object({
    from: z.string().regex(clock, 'must be a local time HH:MM from 00:00 to 23:59'),
    to: z.string().refine((value) => value === '24:00' || clock.test(value), 'must be a local time HH:MM from 00:01 to 24:00'),
    days: z
      .array(z.number().int('must be an ISO weekday 1 (Monday) to 7 (Sunday)').min(1, 'must be an ISO weekday 1 (Monday) to 7 (Sunday)').max(7, 'must be an ISO weekday 1 (Monday) to 7 (Sunday)'))
      .min(1, 'name at least one weekday, or leave days out for every day')
      .max(7)
      .refine((days) => new Set(days).size === days.length, 'names a weekday twice')
      .optional(),
    media: z.array(ZContactMedium).min(1, 'name at least one medium, or leave media out for all of them').max(contactMedia.length).optional(),
  })
  .strict()
  .superRefine((time, ctx) => {
    if (clock.test(time.from) && (time.to === '24:00' || clock.test(time.to)) && minutesOf(time.from) >= minutesOf(time.to)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from (a time across midnight is two entries: from–24:00 and 00:00–to)' });
    }
  });
export type TDesignatedTimeInput = z.infer<typeof ZDesignatedTimeInput>;

/** The stored shape (all optional: a person without preferences has none). */
export interface DebtorPreferences {
  preferredChannel?: ContactMedium | null;
  inconvenientTimes?: DesignatedTime[];
  refusedPlaces?: RefusedPlace[];
  refusedMedia?: RefusedMedium[];
  callConsent?: Provenance | null;
  flags?: Partial<Record<PersonFlag, Provenance>>;
}

const ZProvenance = z.object({ at: z.number(), source: z.string() });

/** Reads the stored JSON defensively: a row written by an older version, or by hand, yields what it can. */
const ZStoredPreferences = z.object({
  preferredChannel: ZContactMedium.nullable().optional().catch(undefined),
  inconvenientTimes: z
    .array(ZProvenance.extend({ from: z.string(), to: z.string(), days: z.array(z.number()).optional(), media: z.array(ZContactMedium).optional() }))
    .optional()
    .catch(undefined),
  refusedPlaces: z.array(ZProvenance.extend({ place: ZContactPlace })).optional().catch(undefined),
  refusedMedia: z.array(ZProvenance.extend({ medium: ZContactMedium, address: z.string().optional() })).optional().catch(undefined),
  callConsent: ZProvenance.nullable().optional().catch(undefined),
  flags: z.partialRecord(ZPersonFlag, ZProvenance).optional().catch(undefined),
});

export function preferencesOf(stored: unknown): DebtorPreferences {
  const parsed = ZStoredPreferences.safeParse(stored ?? {});
  if (!parsed.success) return {};
  const out: DebtorPreferences = {};
  for (const [key, value] of Object.entries(parsed.data)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}
