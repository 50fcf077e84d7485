import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { caseScope } from '../access.js';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { errorResponses, ZCalendarDate, ZCaseIdParams, ZErrorResponse, ZInstant } from '../schemas.js';
import { callbackNoteMax, CallbackSource, listCaseCallbacks, officerCallbacks, requestCallback } from '../services/callbacks.js';

/**
 * Callbacks: an officer books a call at the time the person chose; it is refused with the rule's
 * reason when the contact rules would never permit a call then, else it is a call task due then.
 */

export const ZCallback = z.object({
  id: z.string(),
  caseId: z.string(),
  at: z.string(),
  debtorLocal: z.string(),
  note: z.string().nullable(),
  source: z.string(),
  bookedBy: z.string(),
  officer: z.string().nullable(),
  taskId: z.string(),
  taskStatus: z.string(),
  createdAt: z.string(),
});

const ZTimeZone = z.string().max(64).refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as America/Chicago');

export function callbackRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/cases/:caseId/callbacks',
      {
        config: { roles: ['officer', 'manager', 'admin'] },
        schema: {
          tags: ['caseload'],
          summary: 'Book a callback at the time the person chose; it becomes a call task due then, in the booking officer\'s "my callbacks"',
          description:
            '422 `callback_not_permitted` (naming `body.at`, with the rule and the first permitted time) when the contact rules would never permit a call ' +
            'then: outside the permitted hours in any zone the person may be in, a no-contact day, a time the person said is inconvenient, a bar on calls ' +
            'or a hold only a new fact lifts. Caps are checked when the call is dialled, as for every call.',
          params: ZCaseIdParams,
          body: z.object({ at: ZInstant, note: z.string().max(callbackNoteMax).optional(), requestId: z.string().trim().min(1).max(100).optional() }).strict(),
          response: { 201: ZCallback, 409: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = request.principal;
        const booked = await requestCallback({
          db,
          temporal,
          caseId: request.params.caseId,
          at: new Date(request.body.at),
          source: CallbackSource.officer,
          by: actorOf(request),
          // The booking officer calls back; an admin's booking goes to the case's owner.
          ...(principal && principal.role !== 'admin' ? { officer: principal.keyId } : {}),
          ...(request.body.note !== undefined ? { note: request.body.note } : {}),
          ...(request.body.requestId ? { requestId: request.body.requestId } : {}),
        });
        return reply.code(201).send(booked);
      },
    );

    app.get(
      '/api/v1/cases/:caseId/callbacks',
      {
        config: { roles: ['officer', 'manager', 'admin', 'auditor'] },
        schema: { tags: ['caseload'], summary: "The case's callbacks, soonest first", params: ZCaseIdParams, response: { 200: z.object({ items: z.array(ZCallback) }), ...errorResponses } },
      },
      async (request) => {
        const items = await listCaseCallbacks({ db, caseId: request.params.caseId });
        // A callback's note is what the person said: content, masked like messages for auditors.
        return { items: request.principal?.role === 'auditor' ? items.map((item) => ({ ...item, note: item.note === null ? null : '[masked]' })) : items };
      },
    );

    app.get(
      '/api/v1/my/callbacks',
      {
        config: { roles: ['officer', 'manager'] },
        schema: {
          tags: ['caseload'],
          summary: "The calling key's callbacks on one of its days, soonest first",
          description:
            '`day` (`today` or YYYY-MM-DD) is a day of the officer\'s clock, in `timeZone` (default UTC; the console sends the browser\'s zone). Each ' +
            "callback also carries the time on the debtor's clock (`debtorLocal`).",
          querystring: z.object({ day: z.union([z.literal('today'), ZCalendarDate]).default('today'), timeZone: ZTimeZone.default('UTC') }).strict(),
          response: {
            200: z.object({ officer: z.string(), day: z.string(), timeZone: z.string(), from: z.string(), to: z.string(), items: z.array(ZCallback) }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const officer = request.principal?.keyId ?? '';
        const answer = await officerCallbacks({ db, officer, day: request.query.day, timeZone: request.query.timeZone, scope: caseScope(request) });
        return { officer, ...answer };
      },
    );
  };
}
