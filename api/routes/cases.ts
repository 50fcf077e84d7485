import { z } from 'zod';
import { channelIds } from '../../domain/channels/index.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { maxMinorUnits } from '../../domain/account.js';
import { nameInitials } from '../../domain/person-name.js';
import { ReplyIntent } from '../../domain/replies.js';
import { caseScope, maskContact, recordContactRead, seesContactDetails } from '../access.js';
import { actorOf } from '../auth.js';
import { errorResponses, ZCaseDetail, ZCaseIdParams, ZCaseView, ZErrorResponse, ZInstant } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { getCase, getDebtor, listCases, listCommunications, receivePayment, receiveReply, setPaused } from '../services/cases.js';

const readers = ['manager', 'officer', 'auditor', 'admin'] as const;

const ZPayment = z
  .object({
    /** The payment processor's reference: a repeat is applied once. */
    reference: z.string().trim().min(1).max(200),
    amount: z.number().int('must be a whole number of minor units (cents)').positive().max(maxMinorUnits, 'must be at most 2147483647 minor units'),
    /** Defaults to the case's currency; a different one is refused. */
    currency: z.string().length(3).optional(),
    receivedAt: ZInstant.optional(),
  })
  .strict();

const ZReply = z
  .object({
    channel: z.enum([...channelIds, 'phone']),
    text: z.string().min(1).max(5000),
    intent: z.enum(Object.values(ReplyIntent) as [ReplyIntent, ...ReplyIntent[]]).optional(),
    receivedAt: ZInstant.optional(),
  })
  .strict();

const ZAccepted = z.object({ caseId: z.string(), accepted: z.literal(true) });
const ZPauseBody = z.object({ reason: z.string().min(1).max(500) }).strict();

export function caseRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/cases',
      {
        config: { roles: readers },
        schema: {
          tags: ['cases'],
          summary: 'Cases from the projection, filtered, a page at a time',
          querystring: z
            .object({
              status: z.enum(['open', 'paused', 'closed']).optional(),
              strategy: z.string().max(64).optional(),
              step: z.string().max(64).optional(),
              officer: z.string().max(200).optional(),
              /** Balance band, minor units, both ends included. */
              minBalance: z.coerce.number().int().nonnegative().optional(),
              maxBalance: z.coerce.number().int().nonnegative().optional(),
              /** Days past due at enrollment, both ends included. */
              minDaysPastDue: z.coerce.number().int().nonnegative().optional(),
              maxDaysPastDue: z.coerce.number().int().nonnegative().optional(),
              limit: z.coerce.number().int().min(1).max(200).default(50),
              cursor: z.string().max(200).optional(),
            })
            .strict(),
          response: { 200: z.object({ items: z.array(ZCaseView), nextCursor: z.string().nullable() }), ...errorResponses },
        },
      },
      async (request) => {
        const { limit, cursor, ...filter } = request.query;
        return listCases({ db, filter, limit, scope: caseScope(request), ...(cursor ? { cursor } : {}) });
      },
    );

    app.get(
      '/api/v1/cases/:caseId',
      {
        config: { roles: readers },
        schema: { tags: ['cases'], summary: 'Live status from the workflow and history from the database', params: ZCaseIdParams, response: { 200: ZCaseDetail, ...errorResponses } },
      },
      async (request) => getCase({ db, temporal, caseId: request.params.caseId }),
    );

    app.get(
      '/api/v1/cases/:caseId/debtor',
      {
        config: { roles: readers },
        schema: {
          tags: ['cases'],
          summary: 'The debtor and every contact on file; contact values are masked unless revealed',
          description:
            '`?reveal=true` shows the values in full to officers, managers and admins and records the read as an audit event; ' +
            'auditors always get them masked, and the name as initials.',
          params: ZCaseIdParams,
          querystring: z.object({ reveal: z.enum(['true', 'false']).default('false') }).strict(),
          response: {
            200: z.object({
              masked: z.boolean(),
              debtorId: z.string().describe('The person behind the account: GET /api/v1/debtors/{debtorId}'),
              name: z.string(),
              timeZone: z.string(),
              daysPastDue: z.number().int(),
              portfolio: z.string().nullable(),
              contacts: z.array(
                z.object({
                  id: z.string(),
                  channel: z.string(),
                  value: z.string(),
                  status: z.string(),
                  consent: z.boolean(),
                  optedOut: z.boolean(),
                  consentAt: z.string().nullable(),
                  consentSource: z.string().nullable(),
                  optedOutAt: z.string().nullable(),
                  optOutSource: z.string().nullable(),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { caseId } = request.params;
        const debtor = await getDebtor({ db, caseId });
        if (request.query.reveal !== 'true' || !seesContactDetails(request)) {
          // Masked for auditors means the name too (initials); officers and managers who did not ask to reveal see it.
          const name = seesContactDetails(request) ? debtor.name : nameInitials(debtor.name);
          return { ...debtor, name, masked: true, contacts: debtor.contacts.map((contact) => ({ ...contact, value: maskContact(contact.value) })) };
        }
        await recordContactRead(db, request, caseId, 'debtor contacts');
        return { ...debtor, masked: false };
      },
    );

    app.get(
      '/api/v1/cases/:caseId/communications',
      {
        config: { roles: readers },
        schema: {
          tags: ['cases'],
          summary: 'Every communication of the case with its content and delivery status',
          description:
            'Recipients and content are shown in full to officers, managers and admins (each such read is an audit event) and masked for auditors.',
          params: ZCaseIdParams,
          response: {
            200: z.object({
              /** True when recipients and content are masked for the caller's role. */
              masked: z.boolean(),
              items: z.array(
                z.object({
                  id: z.string(),
                  stepId: z.string(),
                  channel: z.string(),
                  template: z.string(),
                  recipient: z.string(),
                  subject: z.string().nullable(),
                  body: z.string(),
                  status: z.string(),
                  provider: z.string().nullable(),
                  providerId: z.string().nullable(),
                  error: z.string().nullable(),
                  createdAt: z.string(),
                  sentAt: z.string().nullable(),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { caseId } = request.params;
        const items = await listCommunications({ db, caseId });
        if (!seesContactDetails(request)) {
          return { masked: true, items: items.map((item) => ({ ...item, recipient: maskContact(item.recipient), subject: item.subject === null ? null : '[masked]', body: '[masked]' })) };
        }
        if (items.length > 0) await recordContactRead(db, request, caseId, 'communications');
        return { masked: false, items };
      },
    );

    app.post(
      '/api/v1/cases/:caseId/payments',
      {
        config: { roles: ['integration', 'officer', 'manager', 'admin'] },
        schema: {
          tags: ['cases'],
          summary: 'Record a payment (idempotent by reference); the case applies it at once',
          description:
            'A repeat of a reference (exact, case-sensitive match) with the same amount and currency is accepted again and applied once; ' +
            'a repeat with another amount or currency is refused (409 `payment_conflict`, the differing fields named): the first one stands.',
          params: ZCaseIdParams,
          body: ZPayment,
          response: { 202: ZAccepted, 409: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { caseId } = request.params;
        const { reference, amount, currency, receivedAt } = request.body;
        await receivePayment({ db, temporal, caseId, payment: { reference, amount, currency, receivedAt: receivedAt ?? new Date().toISOString() }, actor: actorOf(request) });
        return reply.code(202).send({ caseId, accepted: true as const });
      },
    );

    app.post(
      '/api/v1/cases/:caseId/replies',
      {
        config: { roles: ['integration', 'officer', 'manager', 'admin'] },
        schema: {
          tags: ['cases'],
          summary: "Record a debtor's reply; STOP opts the channel out",
          params: ZCaseIdParams,
          body: ZReply,
          response: { 202: ZAccepted, 409: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { caseId } = request.params;
        const { receivedAt, intent, ...rest } = request.body;
        await receiveReply({ db, temporal, caseId, reply: { ...rest, ...(intent ? { intent } : {}), receivedAt: receivedAt ?? new Date().toISOString() } });
        return reply.code(202).send({ caseId, accepted: true as const });
      },
    );

    for (const action of ['pause', 'resume'] as const) {
      app.post(
        `/api/v1/cases/:caseId/${action}`,
        {
          config: { roles: ['officer', 'manager', 'admin'] },
          schema: { tags: ['cases'], summary: `${action === 'pause' ? 'Pause' : 'Resume'} the case's timeline`, params: ZCaseIdParams, body: ZPauseBody, response: { 202: ZAccepted, 409: ZErrorResponse, ...errorResponses } },
        },
        async (request, reply) => {
          const { caseId } = request.params;
          await setPaused({ db, temporal, caseId, paused: action === 'pause', request: { reason: request.body.reason, by: actorOf(request) } });
          return reply.code(202).send({ caseId, accepted: true as const });
        },
      );
    }
  };
}
