import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { maxMinorUnits } from '../../domain/account.js';
import { actorOf } from '../auth.js';
import { errorResponses, ZCaseId, ZErrorResponse } from '../schemas.js';
import type { ApiDeps } from '../deps.js';
import { reportReversal } from '../services/payment-reversals.js';

const ZReversalParams = z.object({ caseId: ZCaseId, reference: z.string().trim().min(1).max(100) });

const ZReversal = z
  .object({
    /** Why the payment came back (NSF, chargeback, ACH return R01...), for the case's history. */
    reason: z.string().trim().min(1).max(500),
    /** Minor units returned, when only part of the payment was; the whole payment when absent. */
    amount: z.number().int('must be a whole number of minor units (cents)').positive().max(maxMinorUnits, 'must be at most 2147483647 minor units').optional(),
  })
  .strict();

export function paymentReversalRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/cases/:caseId/payments/:reference/reversal',
      {
        config: { roles: ['integration', 'officer', 'manager', 'admin'] },
        schema: {
          tags: ['cases'],
          summary: 'Report a returned payment (NSF, chargeback): its amount is owed again and the arrangement it paid toward is re-evaluated',
          description:
            'Idempotent by the payment: a repeat with the same reason and amount is accepted again and applied once; one that differs is refused ' +
            '(409 `reversal_conflict`, the differing fields named) and the first report stands. An unknown reference is 404 `payment_not_found` ' +
            '(field `params.reference`); an amount above the payment is 422 (field `body.amount`).',
          params: ZReversalParams,
          body: ZReversal,
          response: {
            202: z.object({ caseId: z.string(), reference: z.string(), amount: z.number().int(), accepted: z.literal(true), repeated: z.boolean() }),
            409: ZErrorResponse,
            422: ZErrorResponse,
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const { caseId, reference } = request.params;
        const { amount, repeated } = await reportReversal({ db, temporal, caseId, reference, reversal: request.body, actor: actorOf(request) });
        return reply.code(202).send({ caseId, reference, amount, accepted: true as const, repeated });
      },
    );
  };
}
