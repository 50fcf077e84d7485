import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { nameInitials } from '../../domain/person-name.js';
import { maskContact, seesContactDetails } from '../access.js';
import { actorOf, type Role } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { errorResponses, maxPathParamLength, ZErrorResponse } from '../schemas.js';
import type { PersonScope } from '../services/debtor-access.js';
import { addContact, changeContact, contactSources, ZContactAdd, ZContactPatch, type ContactView } from '../services/debtor-contacts.js';
import { writeFlag, ZFlagWrite } from '../services/debtor-flags.js';
import { matchSuggestions, MatchReason } from '../services/debtor-matches.js';
import { mergeHistory } from '../services/debtor-merge-history.js';
import { mergeDebtors, undoMerge, ZMergeRequest, ZUndoMergeRequest } from '../services/debtor-merges.js';
import { putPreferences, ZPreferencesPut, type PreferencesView } from '../services/debtor-preferences.js';
import { getDebtorDetail, listDebtors, type DebtorDetail } from '../services/debtors.js';

/**
 * The person behind the accounts (a Debtor): read by the debtor screen, changed by officers
 * (contacts, what the person told us) and managers (merges). Role rules as for cases: auditors and
 * integrations read masked; team-scoped keys see only persons with an account in their team.
 * Every write is an audit event naming the person, may carry an Idempotency-Key, and then tells
 * the person workflow (api/services/debtor-writes.ts).
 */

const readers: readonly Role[] = ['manager', 'officer', 'auditor', 'integration', 'admin'];
const editors: readonly Role[] = ['officer', 'manager', 'integration', 'admin'];
const managers: readonly Role[] = ['manager', 'admin'];

const ZId = z.string().trim().min(1).max(maxPathParamLength);
const ZDebtorParams = z.object({ debtorId: ZId }).strict();
const ZIdempotencyHeaders = z.looseObject({
  /** A retried write with the same key answers as the first did and changes nothing more. */
  'idempotency-key': z.string().trim().min(1).max(200).optional(),
});

const ZContactView = z.object({
  contactId: z.string(),
  channel: z.string(),
  value: z.string(),
  place: z.string().nullable(),
  status: z.enum(['valid', 'invalid', 'retired']),
  source: z.string(),
  /** A skip-trace vendor's confidence, 0–100; null for contacts from other sources. */
  confidence: z.number().int().nullable(),
  createdAt: z.string(),
  verifiedAt: z.string().nullable(),
  retiredAt: z.string().nullable(),
  consent: z.boolean(),
  consentAt: z.string().nullable(),
  consentSource: z.string().nullable(),
  optedOutAt: z.string().nullable(),
  optOutSource: z.string().nullable(),
});
const ZProvenanceView = z.object({ at: z.string(), source: z.string() });
const ZPreferencesView = z.object({
  language: z.string(),
  preferredChannel: z.string().nullable(),
  inconvenientTimes: z.array(ZProvenanceView.extend({ from: z.string(), to: z.string(), days: z.array(z.number().int()).optional(), media: z.array(z.string()).optional() })),
  refusedPlaces: z.array(ZProvenanceView.extend({ place: z.string() })),
  refusedMedia: z.array(ZProvenanceView.extend({ medium: z.string(), address: z.string().optional() })),
  callConsent: ZProvenanceView.nullable(),
});
const ZFlagsView = z.record(z.string(), ZProvenanceView);
const ZDebtorSummary = z.object({
  debtorId: z.string(),
  externalId: z.string().nullable(),
  name: z.string(),
  timeZone: z.string(),
  mergedInto: z.string().nullable(),
  accounts: z.number().int(),
  openCases: z.number().int(),
});
const ZDebtorDetail = z.object({
  masked: z.boolean(),
  debtorId: z.string(),
  externalId: z.string().nullable(),
  name: z.string(),
  timeZone: z.string(),
  language: z.string(),
  state: z.string().nullable(),
  mergedInto: z.string().nullable(),
  accounts: z.array(
    z.object({
      accountId: z.string(),
      externalId: z.string(),
      debtGroup: z.string(),
      caseId: z.string(),
      status: z.string(),
      balance: z.number().int(),
      currency: z.string(),
      currentStep: z.string().nullable(),
      nextActionAt: z.string().nullable(),
      nextActionWhy: z.string().nullable(),
      live: z.boolean(),
    }),
  ),
  contacts: z.array(ZContactView),
  preferences: ZPreferencesView,
  flags: ZFlagsView,
  holds: z.array(z.object({ caseId: z.string(), accountExternalId: z.string(), channel: z.string().nullable(), kind: z.string(), until: z.string().nullable(), reason: z.string() })),
  history: z.array(z.object({ at: z.string(), caseId: z.string().nullable(), accountExternalId: z.string().nullable(), type: z.string(), actor: z.string(), detail: z.string().nullable() })),
});
const ZMergeView = z.object({
  mergeId: z.string(),
  survivor: z.string(),
  merged: z.string(),
  accountIds: z.array(z.string()),
  contactIds: z.array(z.string()),
  by: z.string(),
  reason: z.string(),
  at: z.string(),
  undoneAt: z.string().nullable(),
  undoneBy: z.string().nullable(),
  undoReason: z.string().nullable(),
});

const scopeOf = (request: FastifyRequest): PersonScope => (request.principal?.team ? { team: request.principal.team } : {});
const idempotencyKeyOf = (request: FastifyRequest) => (request.headers as { 'idempotency-key'?: string })['idempotency-key']?.trim() || undefined;
const maskedContact = (contact: ContactView): ContactView => ({ ...contact, value: maskContact(contact.value) });
const maskedPreferences = (preferences: PreferencesView): PreferencesView => ({
  ...preferences,
  refusedMedia: preferences.refusedMedia.map((medium) => (medium.address ? { ...medium, address: maskContact(medium.address) } : medium)),
});

/** Auditors and integrations get the name as initials; everyone gets contact values masked unless a contact role asks to reveal them. */
function shown(detail: DebtorDetail, request: FastifyRequest, reveal: boolean) {
  if (reveal && seesContactDetails(request)) return { ...detail, masked: false };
  return {
    ...detail,
    masked: true,
    name: seesContactDetails(request) ? detail.name : nameInitials(detail.name),
    contacts: detail.contacts.map(maskedContact),
    preferences: maskedPreferences(detail.preferences),
  };
}

export function debtorRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/debtors',
      {
        config: { roles: readers },
        schema: {
          tags: ['debtors'],
          summary: 'Persons (debtors), searched by name, external id, an account external id or a contact value',
          description: 'Merged persons are left out unless `includeMerged=true`. Auditors and integrations get names as initials.',
          querystring: z
            .object({
              q: z.string().trim().min(1).max(200).optional(),
              externalId: z.string().trim().min(1).max(100).optional(),
              includeMerged: z.enum(['true', 'false']).default('false'),
              limit: z.coerce.number().int().min(1).max(200).default(50),
              cursor: z.string().min(1).max(100).optional(),
            })
            .strict(),
          response: { 200: z.object({ items: z.array(ZDebtorSummary), nextCursor: z.string().nullable() }), ...errorResponses },
        },
      },
      async (request) => {
        const { q, externalId, includeMerged, limit, cursor } = request.query;
        const page = await listDebtors({ db, q, externalId, includeMerged: includeMerged === 'true', limit, cursor, scope: scopeOf(request) });
        if (seesContactDetails(request)) return page;
        return { ...page, items: page.items.map((item) => ({ ...item, name: nameInitials(item.name) })) };
      },
    );

    app.get(
      '/api/v1/debtors/match-suggestions',
      {
        config: { roles: managers },
        schema: {
          tags: ['debtors'],
          summary: 'Pairs of persons that may be one: the same email, or the same phone AND the same name (never a phone alone)',
          description: `Reasons: ${Object.values(MatchReason).join(', ')}. A manager confirms a pair by merging it (POST /api/v1/debtors/{debtorId}/merge).`,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }).strict(),
          response: {
            200: z.object({
              total: z.number().int(),
              items: z.array(
                z.object({
                  debtorIds: z.array(z.string()),
                  reasons: z.array(z.string()),
                  persons: z.array(z.object({ debtorId: z.string(), externalId: z.string().nullable(), name: z.string(), accounts: z.number().int() })),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => matchSuggestions({ db, scope: scopeOf(request), limit: request.query.limit }),
    );

    app.get(
      '/api/v1/debtors/:debtorId',
      {
        config: { roles: readers },
        schema: {
          tags: ['debtors'],
          summary: 'One person: accounts with their live case state, contacts with sources, preferences, flags, holds and history across accounts',
          description:
            'Contact values are masked unless `?reveal=true` by an officer, manager or admin (the read is an audit event); auditors and integrations ' +
            'always get them masked and the name as initials. `holds` are what each open case\'s contact rules say right now, per medium the person has.',
          params: ZDebtorParams,
          querystring: z.object({ reveal: z.enum(['true', 'false']).default('false') }).strict(),
          response: { 200: ZDebtorDetail, ...errorResponses },
        },
      },
      async (request) => {
        const detail = await getDebtorDetail({ db, temporal, debtorId: request.params.debtorId, scope: scopeOf(request) });
        const reveal = request.query.reveal === 'true' && seesContactDetails(request);
        if (reveal) {
          await db.auditEvent.create({
            data: { debtorId: detail.debtorId, actor: actorOf(request), action: 'contact_details_read', data: { what: 'debtor contacts', route: request.routeOptions.url ?? request.url } },
          });
        }
        return shown(detail, request, reveal);
      },
    );

    app.post(
      '/api/v1/debtors/:debtorId/contacts',
      {
        config: { roles: editors },
        schema: {
          tags: ['debtors'],
          summary: "Add a contact to a person, with its source; the person's open cases learn of it at once",
          description:
            `\`value\` per channel: email an address, sms / phone / whatsapp an E.164 number, letter a postal address object. Sources: ${contactSources.join(', ')}. ` +
            'The same channel and value again answers the contact on file (200); a retired one is 409 (PATCH it with `retired: false`).',
          params: ZDebtorParams,
          headers: ZIdempotencyHeaders,
          body: ZContactAdd,
          response: { 200: ZContactView, 201: ZContactView, 409: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { result, replayed } = await addContact({ ...common(request), debtorId: request.params.debtorId, body: request.body });
        const contact = seesContactDetails(request) ? result.contact : maskedContact(result.contact);
        return reply.code(result.created && !replayed ? 201 : 200).send(contact);
      },
    );

    app.patch(
      '/api/v1/debtors/:debtorId/contacts/:contactId',
      {
        config: { roles: editors },
        schema: {
          tags: ['debtors'],
          summary: 'Correct, verify, retire or un-retire a contact (with the reason, for the audit trail)',
          description: 'A corrected value starts again as valid and unverified, without the old value\'s consent; an opt-out stays.',
          params: z.object({ debtorId: ZId, contactId: ZId }).strict(),
          headers: ZIdempotencyHeaders,
          body: ZContactPatch,
          response: { 200: ZContactView, 409: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) => {
        const { result } = await changeContact({ ...common(request), debtorId: request.params.debtorId, contactId: request.params.contactId, body: request.body });
        return seesContactDetails(request) ? result.contact : maskedContact(result.contact);
      },
    );

    app.put(
      '/api/v1/debtors/:debtorId/preferences',
      {
        config: { roles: editors },
        schema: {
          tags: ['debtors'],
          summary: 'What the person told us: language, preferred channel, inconvenient times, refused places and media, consent to be called',
          description:
            'Each field named replaces what is stored; a field left out stays. Inconvenient times are local `HH:MM`, `from` inclusive, `to` exclusive ' +
            '(`24:00` for the end of the day), `from` before `to`: a time across midnight is two entries (`21:00`–`24:00` and `00:00`–`09:00`). ' +
            '`days` are ISO weekdays, 1 Monday to 7 Sunday.',
          params: ZDebtorParams,
          headers: ZIdempotencyHeaders,
          body: ZPreferencesPut,
          response: { 200: ZPreferencesView, 409: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) => {
        const { result } = await putPreferences({ ...common(request), debtorId: request.params.debtorId, body: request.body });
        return seesContactDetails(request) ? result : maskedPreferences(result);
      },
    );

    app.post(
      '/api/v1/debtors/:debtorId/flags',
      {
        config: { roles: editors },
        schema: {
          tags: ['debtors'],
          summary: 'Set or clear a person-level flag (cease communication, attorney, bankruptcy, deceased) with its source and time',
          params: ZDebtorParams,
          headers: ZIdempotencyHeaders,
          body: ZFlagWrite,
          response: { 200: z.object({ flags: ZFlagsView }), 409: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) => (await writeFlag({ ...common(request), debtorId: request.params.debtorId, body: request.body })).result,
    );

    app.post(
      '/api/v1/debtors/:debtorId/merge',
      {
        config: { roles: managers },
        schema: {
          tags: ['debtors'],
          summary: 'Merge person `from` into this one (a confirmed match): its accounts and contacts move here, in one transaction',
          description:
            'Merging a person into itself is 422; an unknown person 404; a person already merged 409. With an Idempotency-Key, a retry answers the first merge (200).',
          params: ZDebtorParams,
          headers: ZIdempotencyHeaders,
          body: ZMergeRequest,
          response: { 200: ZMergeView, 201: ZMergeView, 409: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { merge, replayed } = await mergeDebtors({ ...common(request), survivorId: request.params.debtorId, body: request.body });
        return reply.code(replayed ? 200 : 201).send(merge);
      },
    );

    app.get(
      '/api/v1/debtors/:debtorId/merges',
      {
        config: { roles: managers },
        schema: {
          tags: ['debtors'],
          summary: 'The merges this person took part in, kept or merged away, newest first (200 at most), with both names',
          params: ZDebtorParams,
          response: { 200: z.object({ items: z.array(ZMergeView.extend({ survivorName: z.string(), mergedName: z.string() })) }), ...errorResponses },
        },
      },
      async (request) => mergeHistory({ db, debtorId: request.params.debtorId, scope: scopeOf(request) }),
    );

    app.post(
      '/api/v1/debtor-merges/:mergeId/undo',
      {
        config: { roles: managers },
        schema: {
          tags: ['debtors'],
          summary: 'Undo a merge exactly: the accounts and contacts it moved go back, the survivor\'s preferences are restored',
          description: 'An undone merge answers as it stands. 409 when the survivor has itself been merged since (undo that first).',
          params: z.object({ mergeId: ZId }).strict(),
          body: ZUndoMergeRequest,
          response: { 200: ZMergeView, 409: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) => (await undoMerge({ db, temporal, mergeId: request.params.mergeId, body: request.body, actor: actorOf(request), scope: scopeOf(request) })).merge,
    );

    function common(request: FastifyRequest) {
      return { db, temporal, actor: actorOf(request), scope: scopeOf(request), idempotencyKey: idempotencyKeyOf(request) };
    }
  };
}
