import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertCaseAccess } from '../access.js';
import { actorOf } from '../auth.js';
import { notFound } from '../errors.js';
import { errorResponses, ZErrorResponse, ZInstant } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { letterForReturn, recordLetterReturned } from '../services/letter-returns.js';

const ZCommunicationParams = z.object({ communicationId: z.uuid() });

export const ZLetterReturned = z
  .object({
    /** What the envelope or the provider says: "moved, left no address", "no such street"... */
    reason: z.string().trim().min(1).max(500),
    /** When the letter came back; now when absent. */
    at: ZInstant.optional(),
  })
  .strict();

const ZLetterReturnedAnswer = z.object({
  communicationId: z.string(),
  caseId: z.string(),
  status: z.string(),
  recorded: z.boolean().describe('false when this return was already recorded'),
});

export function letterReturnRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/communications/:communicationId/returned',
      {
        config: { roles: ['integration', 'officer', 'manager', 'admin'] },
        schema: {
          tags: ['communications'],
          summary: 'A letter came back undeliverable: the postal address is marked invalid and the case runs the letter step’s fallback',
          description: 'Reported by the print-and-mail provider (integration key) or an officer. Idempotent: a repeat answers `recorded: false` and changes nothing.',
          params: ZCommunicationParams,
          body: ZLetterReturned,
          response: { 200: ZLetterReturnedAnswer, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) => {
        const letter = await letterForReturn(db, request.params.communicationId);
        if (!letter) throw notFound(`communication "${request.params.communicationId}"`);
        assertCaseAccess(request, { id: letter.caseId, team: letter.case.team });
        return recordLetterReturned({
          db,
          temporal,
          letter,
          reason: request.body.reason,
          at: request.body.at ? new Date(request.body.at) : undefined,
          actor: actorOf(request),
        });
      },
    );
  };
}
