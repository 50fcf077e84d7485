import { z } from 'zod';
import { formatPostalAddress, ZE164, ZPostalAddress } from '../../domain/account.js';
import { contactMedia, ZContactPlace } from '../../domain/debtor-preferences.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { personContactsOf } from '../../records/persons.js';
import { rescoreDebtorTasks } from '../../records/task-queue.js';
import { ApiError, invalidRequest } from '../errors.js';
import type { PersonRow } from './debtor-access.js';
import { writePerson, type PersonWriteRequest } from './debtor-writes.js';

/**
 * A person's contacts through the API: add, correct, verify, retire. Each keeps its source and
 * times; retired contacts stay on file (the record of what we used) and are never used again.
 * After each change the person workflow receives the person's contact points as they now stand.
 */

export const contactSources = ['officer', 'debtor', 'import', 'enrollment', 'skip_trace'] as const;
export const ZContactSource = z.enum(contactSources);
export const ZContactChannel = z.enum(contactMedia);

/** What a contact value is, per channel: an email address, an E.164 number, or a postal address (as an object). */
export const ZContactValue = z.union([z.string().trim().min(1).max(320), ZPostalAddress]);

const ZEmail = z.email('must be an email address such as ana@example.com');

/** The stored one-line value for `channel`, or the reason `value` is not one (the caller names the field). */
function storedValue(channel: string, value: z.infer<typeof ZContactValue>, personName: string): { ok: true; value: string } | { ok: false; message: string } {
  if (channel === 'letter') {
    if (typeof value === 'string') return { ok: false, message: 'a letter contact is a postal address object { line1, line2?, city, region?, postalCode, country }' };
    return { ok: true, value: formatPostalAddress(personName, value) };
  }
  if (typeof value !== 'string') return { ok: false, message: `a ${channel} contact is a string, not an address object` };
  const parsed = channel === 'email' ? ZEmail.safeParse(value) : ZE164.safeParse(value);
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'invalid' };
  return { ok: true, value: parsed.data };
}

export const ZContactAdd = z
  .object({ channel: ZContactChannel, value: ZContactValue, place: ZContactPlace.optional(), source: ZContactSource })
  .strict()
  .superRefine((body, ctx) => {
    // The person's name only shapes a letter's first line; the format is checked here, before any lookup.
    const checked = storedValue(body.channel, body.value, 'x');
    if (!checked.ok) ctx.addIssue({ code: 'custom', path: ['value'], message: checked.message });
  });
export type TContactAdd = z.infer<typeof ZContactAdd>;

export const ZContactPatch = z
  .object({
    value: ZContactValue.optional(),
    place: ZContactPlace.nullable().optional(),
    verified: z.boolean().optional(),
    retired: z.boolean().optional(),
    /** Why, for the audit trail (e.g. "debtor gave a new number on the phone"). */
    reason: z.string().trim().min(1).max(500),
  })
  .strict()
  .refine((body) => body.value !== undefined || body.place !== undefined || body.verified !== undefined || body.retired !== undefined, {
    message: 'name at least one of value, place, verified, retired',
  });
export type TContactPatch = z.infer<typeof ZContactPatch>;

type ContactRow = Prisma.ContactGetPayload<object>;

export function contactView(row: ContactRow) {
  return {
    contactId: row.id,
    channel: row.channel,
    value: row.value,
    place: row.place,
    status: row.retiredAt ? ('retired' as const) : row.status === 'invalid' ? ('invalid' as const) : ('valid' as const),
    source: row.source,
    /** A skip-trace vendor's confidence, 0–100 (null for other sources). */
    confidence: row.confidence,
    createdAt: row.createdAt.toISOString(),
    verifiedAt: row.verifiedAt?.toISOString() ?? null,
    retiredAt: row.retiredAt?.toISOString() ?? null,
    consent: row.consent,
    consentAt: row.consentAt?.toISOString() ?? null,
    consentSource: row.consentSource,
    optedOutAt: row.optedOutAt?.toISOString() ?? null,
    optOutSource: row.optOutSource,
  };
}
export type ContactView = ReturnType<typeof contactView>;

type Common = Pick<PersonWriteRequest<unknown>, 'db' | 'temporal' | 'debtorId' | 'scope' | 'actor' | 'idempotencyKey'>;

async function contactsChange(tx: Prisma.TransactionClient, person: PersonRow, actor: string, at: Date) {
  const rows = await tx.contact.findMany({ where: { debtorId: person.id } });
  return [{ kind: 'contacts' as const, contacts: personContactsOf(rows), source: actor, at: at.getTime() }];
}

/** Adds a contact; the same channel and value again answers the contact on file (created: false). */
export async function addContact(common: Common & { body: TContactAdd }) {
  const { body, actor } = common;
  return writePerson<{ created: boolean; contact: ContactView }>({
    ...common,
    action: 'debtor_contact_added',
    request: body,
    answerAgain: async (db, after) => ({ created: false, contact: contactView(await db.contact.findUniqueOrThrow({ where: { id: (after as { contactId: string }).contactId } })) }),
    async apply(tx, person, at) {
      const checked = storedValue(body.channel, body.value, person.name);
      if (!checked.ok) throw invalidRequest([{ path: 'body.value', message: checked.message }]);
      const existing = await tx.contact.findUnique({ where: { debtorId_channel_value: { debtorId: person.id, channel: body.channel, value: checked.value } } });
      if (existing?.retiredAt) {
        throw new ApiError(409, 'contact_retired', `this ${body.channel} contact was retired; un-retire it with PATCH .../contacts/${existing.id} { "retired": false }`, [
          { path: 'body.value', message: `is retired contact "${existing.id}"` },
        ]);
      }
      if (existing) return { result: { created: false, contact: contactView(existing) }, changed: false, changes: [], resync: await contactsChange(tx, person, actor, at) };
      const row = await tx.contact.create({
        data: { debtorId: person.id, channel: body.channel, value: checked.value, place: body.place ?? null, source: body.source },
      });
      // A new way to reach the person moves their open tasks up the queue.
      await rescoreDebtorTasks(tx, person.id);
      return {
        result: { created: true, contact: contactView(row) },
        changed: true,
        changes: await contactsChange(tx, person, actor, at),
        after: { contactId: row.id, channel: row.channel, source: row.source, place: row.place },
      };
    },
  });
}

/**
 * Corrects, verifies, retires (or un-retires) a contact. A corrected value is a new address: its
 * standing starts again (valid, unverified) and consent given for the old one does not carry over;
 * an opt-out stays (the safer reading, until the person says otherwise).
 */
export async function changeContact(common: Common & { contactId: string; body: TContactPatch }) {
  const { body, actor, contactId } = common;
  return writePerson<{ contact: ContactView }>({
    ...common,
    action: 'debtor_contact_changed',
    request: { contactId, ...body },
    answerAgain: async (db) => ({ contact: contactView(await db.contact.findUniqueOrThrow({ where: { id: contactId } })) }),
    async apply(tx, person, at) {
      const row = await tx.contact.findFirst({ where: { id: contactId, debtorId: person.id } });
      if (!row) throw new ApiError(404, 'not_found', `contact "${contactId}" not found on debtor "${person.id}"`, [{ path: 'params.contactId', message: 'no such contact on this debtor' }]);
      const data: Prisma.ContactUpdateInput = {};
      if (body.value !== undefined) {
        const checked = storedValue(row.channel, body.value, person.name);
        if (!checked.ok) throw invalidRequest([{ path: 'body.value', message: checked.message }]);
        if (checked.value !== row.value) {
          const clash = await tx.contact.findUnique({ where: { debtorId_channel_value: { debtorId: person.id, channel: row.channel, value: checked.value } } });
          if (clash) throw new ApiError(409, 'contact_exists', `the debtor already has this ${row.channel} contact ("${clash.id}")`, [{ path: 'body.value', message: `is contact "${clash.id}"` }]);
          Object.assign(data, { value: checked.value, status: 'valid', verifiedAt: null, consent: false, consentAt: null, consentSource: null });
        }
      }
      if (body.place !== undefined && body.place !== row.place) data.place = body.place;
      if (body.verified !== undefined && body.verified !== (row.verifiedAt !== null) && data.verifiedAt === undefined) data.verifiedAt = body.verified ? at : null;
      if (body.verified === true && data.verifiedAt === null) data.verifiedAt = at; // corrected and verified at once
      if (body.retired !== undefined && body.retired !== (row.retiredAt !== null)) data.retiredAt = body.retired ? at : null;
      if (Object.keys(data).length === 0) return { result: { contact: contactView(row) }, changed: false, changes: [], resync: await contactsChange(tx, person, actor, at) };
      const updated = await tx.contact.update({ where: { id: row.id }, data });
      await rescoreDebtorTasks(tx, person.id);
      const standing = (c: ContactRow) => ({ place: c.place, status: c.status, verifiedAt: c.verifiedAt, retiredAt: c.retiredAt, valueChanged: c.value !== row.value });
      return {
        result: { contact: contactView(updated) },
        changed: true,
        changes: await contactsChange(tx, person, actor, at),
        // The values themselves stay out of the trail (they are the debtor's data); that it changed is kept.
        before: { contactId: row.id, ...standing(row), valueChanged: false },
        after: { contactId: row.id, ...standing(updated) },
        data: { reason: body.reason },
      };
    },
  });
}
