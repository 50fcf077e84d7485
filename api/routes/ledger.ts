import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { feeTypes } from '../../domain/ledger/fees.js';
import type { ActorRole } from '../../domain/outcomes.js';
import { actorOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { errorResponses, ZCaseIdParams, ZErrorResponse } from '../schemas.js';
import { getCaseLedger, postLedgerEntry } from '../services/ledger.js';

const ZParts = z.object({ principal: z.number().int(), interest: z.number().int(), fees: z.number().int() });
const ZItemization = z.object({
  itemizationDate: z.string(),
  onItemizationDate: z.number().int(),
  interestSince: z.number().int(),
  feesSince: z.number().int(),
  paidOrCreditedSince: z.number().int(),
  now: z.number().int(),
});
/** One entry as posted (its fields depend on `kind`) with what it did to each part. */
const ZLedgerEntryView = z.object({
  id: z.string(),
  kind: z.enum(['itemization', 'interest', 'fee', 'payment', 'credit', 'waiver', 'reversal', 'adjustment']),
  on: z.string(),
  postedBy: z.string(),
  reason: z.string().optional(),
  /** The entry's amount (not on an itemization or a reversal). */
  amount: z.number().int().optional(),
  /** Itemization: the parts on the itemization date. */
  parts: ZParts.optional(),
  /** Interest: accrued from this date to `on`. */
  from: z.string().optional(),
  feeType: z.string().optional(),
  /** Payment or credit: what it paid of each part, and what was left over. */
  applied: ZParts.optional(),
  unapplied: z.number().int().optional(),
  /** Waiver: the part waived. */
  part: z.enum(['interest', 'fees']).optional(),
  /** Reversal: the payment or credit it unwinds. */
  of: z.string().optional(),
  /** What the entry did to each part, signed (read model only). */
  effect: ZParts.optional(),
});
const ZCaseLedger = z.object({
  caseId: z.string(),
  currency: z.string(),
  /** False for a case started before the account ledger: its balance shows as principal and it has no entries. */
  keepsLedger: z.boolean(),
  balance: z.number().int(),
  parts: ZParts,
  itemization: ZItemization.nullable(),
  entries: z.array(ZLedgerEntryView),
});
const ZLiveLedger = z.object({ currency: z.string(), balance: z.number().int(), parts: ZParts, itemization: ZItemization, entries: z.array(ZLedgerEntryView), accruedNotPosted: z.number().int() });

/** Whole minor units; zero or negative is the case's to refuse (422 with the field), as bad amounts are at enrollment. */
const ZMinorUnits = z.number().int('must be a whole number of minor units (cents)').max(2_147_483_647);
const ZReason = z.string().trim().min(1).max(500);
const ZFeeRequest = z.object({ feeType: z.enum(feeTypes), amount: ZMinorUnits, reason: ZReason }).strict();
const ZWaiverRequest = z.object({ part: z.enum(['interest', 'fees']), amount: ZMinorUnits, reason: ZReason }).strict();

const negotiators = ['officer', 'manager', 'admin'] as const;
/** Who reads a case (api/routes/cases.ts). */
const readers = ['manager', 'officer', 'auditor', 'admin'] as const;

export function ledgerRoutes({ db, temporal }: ApiDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/cases/:caseId/ledger',
      {
        config: { roles: readers },
        schema: {
          tags: ['cases'],
          summary: "The account ledger: entries with what each did to principal, interest and fees, the parts and Regulation F's itemization",
          params: ZCaseIdParams,
          response: { 200: ZCaseLedger, ...errorResponses },
        },
      },
      async (request) => getCaseLedger({ db, caseId: request.params.caseId }),
    );

    app.post(
      '/api/v1/cases/:caseId/ledger/fees',
      {
        config: { roles: negotiators },
        schema: {
          tags: ['cases'],
          summary: 'Add a fee the agreement authorizes and the state allows; 422 with the reason otherwise',
          params: ZCaseIdParams,
          body: ZFeeRequest,
          response: { 200: ZLiveLedger, 409: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) =>
        postLedgerEntry({ temporal, caseId: request.params.caseId, request: { kind: 'fee', ...request.body, by: actorOf(request), role: request.principal?.role as ActorRole } }),
    );

    app.post(
      '/api/v1/cases/:caseId/ledger/waivers',
      {
        config: { roles: negotiators },
        schema: {
          tags: ['cases'],
          summary: "Waive interest or fees: an officer within the strategy's authority, a manager above it; 422 with the reason otherwise",
          params: ZCaseIdParams,
          body: ZWaiverRequest,
          response: { 200: ZLiveLedger, 409: ZErrorResponse, 422: ZErrorResponse, ...errorResponses },
        },
      },
      async (request) =>
        postLedgerEntry({ temporal, caseId: request.params.caseId, request: { kind: 'waiver', ...request.body, by: actorOf(request), role: request.principal?.role as ActorRole } }),
    );
  };
}
