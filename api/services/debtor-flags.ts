import { z } from 'zod';
import { preferenceChanges } from '../../domain/debtor-preference-changes.js';
import { preferencesOf, ZPersonFlag, type DebtorPreferences } from '../../domain/debtor-preferences.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { ZInstant } from '../schemas.js';
import { invalidRequest } from '../errors.js';
import { writePerson, type PersonWriteRequest } from './debtor-writes.js';

/**
 * Person-level flags (cease communication, attorney representation, bankruptcy, deceased): set or
 * cleared with their source and the time they took effect (a letter's date, not when it was keyed
 * in). They hold every debt of the person; time-barred stays per debt (the account). Setting a
 * flag that is set, or clearing one that is not, changes nothing and answers the flags as they are.
 */

export const ZFlagWrite = z
  .object({
    flag: ZPersonFlag,
    set: z.boolean(),
    /** Where it came from, e.g. `debtor_letter`, `attorney_call`, `bankruptcy_scrub`, `officer`. */
    source: z.string().trim().min(1).max(100),
    /** When it took effect; now when absent. Not in the future. */
    at: ZInstant.optional(),
  })
  .strict();
export type TFlagWrite = z.infer<typeof ZFlagWrite>;

export function flagsView(stored: unknown) {
  const flags = preferencesOf(stored).flags ?? {};
  return Object.fromEntries(Object.entries(flags).map(([flag, provenance]) => [flag, { at: new Date(provenance.at).toISOString(), source: provenance.source }]));
}

type Common = Pick<PersonWriteRequest<unknown>, 'db' | 'temporal' | 'debtorId' | 'scope' | 'actor' | 'idempotencyKey'>;

export async function writeFlag(common: Common & { body: TFlagWrite }) {
  const { body, actor } = common;
  return writePerson<{ flags: ReturnType<typeof flagsView> }>({
    ...common,
    action: body.set ? 'debtor_flag_set' : 'debtor_flag_cleared',
    request: body,
    answerAgain: async (db) => ({ flags: flagsView((await db.debtor.findUniqueOrThrow({ where: { id: common.debtorId } })).preferences) }),
    async apply(tx, person, now) {
      const at = body.at ? new Date(body.at) : now;
      if (at.getTime() > now.getTime() + 60_000) throw invalidRequest([{ path: 'body.at', message: 'must not be in the future' }]);
      const preferences = preferencesOf(person.preferences);
      const flags = { ...preferences.flags };
      if (body.set === Boolean(flags[body.flag])) return { result: { flags: flagsView(person.preferences) }, changed: false, changes: [] };
      if (body.set) flags[body.flag] = { at: at.getTime(), source: body.source };
      else delete flags[body.flag];
      const next: DebtorPreferences = { ...preferences, flags };
      if (Object.keys(flags).length === 0) delete next.flags;
      const changes = preferenceChanges({ preferences, language: person.language }, { preferences: next, language: person.language }, { source: `${body.source} (${actor})`, at: at.getTime() });
      await tx.debtor.update({ where: { id: person.id }, data: { preferences: next as Prisma.InputJsonValue } });
      return {
        result: { flags: flagsView(next) },
        changed: true,
        changes,
        before: { flag: body.flag, set: !body.set },
        after: { flag: body.flag, set: body.set, at: at.toISOString(), source: body.source },
      };
    },
  });
}
