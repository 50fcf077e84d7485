import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { caseScope } from '../access.js';
import { actorOf } from '../auth.js';
import { errorResponses, ZCaseId, ZCaseIdParams, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { casePermission } from '../services/call-permission.js';
import { CallRefused, listCalls, placeCall, recordDisposition } from '../services/calls.js';
import { CallOutcome } from '../services/tasks.js';
import { officerLineMessage, officerLinePattern } from '../services/voice-settings.js';
import { notFound } from '../errors.js';

const callers = ['officer', 'manager', 'admin'] as const;

export const ZCallPermission = z.object({
  caseId: z.string(),
  permitted: z.boolean(),
  reason: z.string().nullable(),
  barred: z.boolean(),
  windowStart: z.string().nullable().describe('start of the permitted window (now when permitted), ISO'),
  windowEnd: z.string().nullable().describe('end of that window, ISO'),
  windowStartLocal: z.string().nullable().describe("the window's start in the debtor's time zone, HH:mm"),
  windowEndLocal: z.string().nullable(),
  timeZone: z.string(),
  callsAllowed: z.number().int().describe('calls the rules permit in that window (caps across the person’s accounts included)'),
});

const ZCall = z.object({
  callId: z.string(),
  caseId: z.string(),
  source: z.string(),
  officer: z.string(),
  status: z.string(),
  placedAt: z.string(),
  endedAt: z.string().nullable(),
  connected: z.boolean().nullable(),
  rightParty: z.boolean().nullable(),
  durationSeconds: z.number().int().nullable(),
  outcome: z.string().nullable(),
  note: z.string().nullable(),
  dialerCallId: z.string().nullable(),
  taskId: z.string().nullable(),
  recording: z.object({ ref: z.string(), url: z.string().nullable() }).nullable(),
  disclosure: z.object({ text: z.string(), state: z.string().nullable() }).nullable(),
  dispositionAt: z.string().nullable(),
});

/** A refused dial: the reason and the next permitted time (null when barred); other refusals (a closed case) in the usual shape. */
const ZCallRefusedResponse = z.object({
  error: ZErrorResponse.shape.error.extend({
    reason: z.string().optional().describe('why the rules refuse the call now'),
    nextPermittedAt: z.string().nullable().optional().describe('the next instant a call is permitted; null when barred'),
  }),
});

export function callRoutes({ db, temporal, voice, communications }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/cases/:caseId/call-permission',
      {
        config: { roles: [...callers, 'auditor'] },
        schema: {
          tags: ['calls'],
          summary: 'May an officer call this debtor now? Until when, or from when, and how many calls the rules leave',
          params: ZCaseIdParams,
          response: { 200: ZCallPermission, ...errorResponses },
        },
      },
      async (request) => {
        const row = await db.case.findUnique({ where: { id: request.params.caseId }, select: { account: { select: { debtor: { select: { timeZone: true } } } } } });
        if (!row) throw notFound(`case "${request.params.caseId}"`);
        return casePermission({ temporal, caseId: request.params.caseId, now: Date.now(), timeZone: row.account.debtor.timeZone });
      },
    );

    app.get(
      '/api/v1/call-permissions',
      {
        config: { roles: [...callers, 'auditor'] },
        schema: {
          tags: ['calls'],
          summary: 'The call permission of several cases at once (the work queue), by comma-separated case ids',
          querystring: z.object({ caseIds: z.string().min(1).max(5000) }).strict(),
          response: { 200: z.object({ items: z.array(ZCallPermission) }), ...errorResponses },
        },
      },
      async (request) => {
        const ids = [...new Set(request.query.caseIds.split(',').map((each) => each.trim()).filter(Boolean))].slice(0, 100);
        const parsed = z.array(ZCaseId).safeParse(ids);
        if (!parsed.success) return { items: [] };
        const rows = await db.case.findMany({ where: { id: { in: parsed.data }, ...caseScope(request) }, select: { id: true, account: { select: { debtor: { select: { timeZone: true } } } } } });
        const now = Date.now();
        return { items: await Promise.all(rows.map((row) => casePermission({ temporal, caseId: row.id, now, timeZone: row.account.debtor.timeZone }))) };
      },
    );

    app.post(
      '/api/v1/cases/:caseId/calls',
      {
        config: { roles: callers },
        schema: {
          tags: ['calls'],
          summary: "Click-to-call: ring the officer's line and bridge the debtor, if the contact rules permit a call now",
          description:
            'Checked at dial time against the case’s rules and the person’s ledger (which counts a permitted call at once). ' +
            'Refused: 409 `call_not_permitted` with the reason and `nextPermittedAt`, or 422 `call_barred`; nothing is dialed. ' +
            'A recorded call plays the disclosure the debtor’s state requires before it connects.',
          params: ZCaseIdParams,
          body: z
            .object({
              officerPhone: z
                .string()
                .regex(officerLinePattern, officerLineMessage)
                .optional()
                .describe("the officer's line: a phone number, or a browser softphone's Twilio Client identity (`client:alice`); the key's configured line when absent"),
              record: z.boolean().optional().describe('record the call (default: CALL_RECORDING)'),
              taskId: z.uuid().optional().describe('the call task it is placed for: completing the task reports this call'),
            })
            .strict(),
          response: { 201: ZCall.extend({ recorded: z.boolean() }), 409: ZCallRefusedResponse, 422: ZCallRefusedResponse, ...errorResponses },
        },
      },
      async (request, reply) => {
        try {
          const call = await placeCall({
            db,
            temporal,
            voice,
            publicUrl: communications?.publicUrl ?? '',
            caseId: request.params.caseId,
            actor: actorOf(request),
            keyId: request.principal?.keyId ?? '',
            officerPhone: request.body.officerPhone,
            record: request.body.record,
            taskId: request.body.taskId,
          });
          return reply.code(201).send(call);
        } catch (error) {
          if (!(error instanceof CallRefused)) throw error;
          return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message, reason: error.reason, nextPermittedAt: error.nextPermittedAt } });
        }
      },
    );

    app.get(
      '/api/v1/cases/:caseId/calls',
      {
        config: { roles: [...callers, 'auditor'] },
        schema: { tags: ['calls'], summary: "The case's calls, newest first", params: ZCaseIdParams, response: { 200: z.object({ items: z.array(ZCall) }), ...errorResponses } },
      },
      async (request) => listCalls({ db, caseId: request.params.caseId }),
    );

    app.post(
      '/api/v1/cases/:caseId/calls/:callId/disposition',
      {
        config: { roles: callers },
        schema: {
          tags: ['calls'],
          summary: "Record a call's disposition: it reaches the case as the call attempt it was and counts toward the caps",
          params: ZCaseIdParams.extend({ callId: z.uuid() }),
          body: z
            .object({
              outcome: z.enum(CallOutcome),
              rightParty: z.boolean(),
              connected: z.boolean().optional().describe("the debtor answered; Twilio's report when absent"),
              note: z.string().max(2000).optional(),
            })
            .strict(),
          response: { 200: ZCall, 409: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) =>
        recordDisposition({ db, temporal, caseId: request.params.caseId, callId: request.params.callId, actor: actorOf(request), disposition: request.body }),
    );
  };
}
