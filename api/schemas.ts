import { z } from 'zod';
import { calendarDateSchema, instantSchema } from '../domain/dates.js';
import type { CaseStatus } from '../workflows/case-messages.js';

/** Shapes shared by several routes (or a route and a script); the others live with their routes or in domain/. */

export const ZErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export const ZCaseView = z.object({
  caseId: z.string(),
  accountId: z.string(),
  externalId: z.string(),
  status: z.enum(['open', 'paused', 'closed']),
  closeReason: z.string().nullable(),
  balance: z.number().int(),
  originalBalance: z.number().int(),
  currency: z.string(),
  currentStep: z.string().nullable(),
  nextActionAt: z.string().nullable(),
  nextActionWhy: z.string().nullable(),
  strategy: z.object({ key: z.string(), version: z.number().int() }),
  /** The officers' team working the case; team-scoped keys see only their team's cases. */
  team: z.string().nullable(),
  /** The owner: the keyId of the officer's API key (assignment rules or a manager), null when none. */
  officer: z.string().nullable(),
  startedAt: z.string(),
  live: z.boolean(),
  channels: z.record(z.string(), z.object({ valid: z.boolean(), optedOut: z.boolean(), consent: z.boolean() })),
});

/** An arrangement in force (promise, plan, settlement), with what was paid toward each installment. */
export const ZArrangementView = z.object({
  kind: z.enum(['promise', 'plan', 'settlement']),
  status: z.enum(['active', 'pending_approval']),
  paidTotal: z.number().int(),
  graceDays: z.number().int(),
  agreedBy: z.string(),
  agreedAt: z.string(),
  installments: z.array(z.object({ seq: z.number().int(), dueDate: z.string(), amount: z.number().int(), paid: z.number().int() })),
  /** An amendment or new schedule above the officer's authority, waiting for a manager's `arrangement_decision`. */
  pendingChange: z
    .object({
      change: z.enum(['amend', 'reschedule']),
      installments: z.array(z.object({ seq: z.number().int(), dueDate: z.string(), amount: z.number().int() })),
      by: z.string(),
      reason: z.string(),
      requestedAt: z.string(),
    })
    .nullable()
    .optional(),
});

/** Why collection is on hold (dispute, hardship, legal review, wrong party), apart from a pause. */
export const ZHoldView = z.object({ kind: z.string(), reason: z.string(), since: z.string(), until: z.string().nullable() });

export const ZCaseDetail = ZCaseView.extend({
  /** What the balance is made of (the account ledger); a case started before the ledger has it all as principal. */
  balanceParts: z.object({ principal: z.number().int(), interest: z.number().int(), fees: z.number().int() }),
  /** From the live workflow; null when none is in force or the workflow could not be asked. */
  arrangement: ZArrangementView.nullable(),
  hold: ZHoldView.nullable(),
  payments: z.array(z.object({ reference: z.string(), amount: z.number().int(), currency: z.string(), receivedAt: z.string() })),
  history: z.array(z.object({ at: z.string(), actor: z.string(), action: z.string(), detail: z.string().nullable() })),
  /** From the live workflow: set while the read model (payments, history above) lags behind it; it catches up by itself. */
  readModelLag: z
    .object({ failingSince: z.string(), failures: z.number().int(), error: z.string(), retryAt: z.string(), pending: z.number().int(), dropped: z.number().int() })
    .nullable(),
});

/**
 * The longest path parameter the router accepts (Fastify's `maxParamLength`): a longer one is
 * answered 414 before any schema runs, so no schema allows more.
 */
export const maxPathParamLength = 100;

/** A case id (`case-<uuid>` is 41 characters). */
export const ZCaseId = z.string().min(1).max(maxPathParamLength);
export const ZCaseIdParams = z.object({ caseId: ZCaseId });

/** Dates and instants, years 1900–2200 (domain/dates.ts says why). */
export const ZCalendarDate = calendarDateSchema();
export const ZInstant = instantSchema();

/** An officers' team name (case assignment, team-scoped API keys). */
export const ZTeam = z.string().trim().min(1).max(64).regex(/^[\w.-]+$/, 'letters, digits, _ . - only');

/** The case's live status as the workflow answers it after an outcome. */
export const ZLiveStatus = z.looseObject({
  caseId: z.string(),
  status: z.enum(['open', 'paused', 'closed']),
  closeReason: z.string().nullable(),
  balance: z.number().int(),
  currency: z.string(),
  nextActionAt: z.string().nullable(),
  nextActionWhy: z.string().nullable(),
  arrangement: z.unknown(),
  hold: z.unknown(),
  placement: z.unknown(),
});

/** The workflow's status interface, seen through the looser response schema. */
export const asLive = (status: CaseStatus) => status as unknown as z.infer<typeof ZLiveStatus>;

/**
 * An answer in named media types (JSON or CSV, a PDF, an HTML page, TwiML), so /openapi.json says
 * which content type comes with which status; a bare schema is JSON.
 */
export function inMediaTypes<T extends Record<string, z.ZodType>>(types: T): { content: { [K in keyof T]: { schema: T[K] } } } {
  return { content: Object.fromEntries(Object.entries(types).map(([type, schema]) => [type, { schema }])) as { [K in keyof T]: { schema: T[K] } } };
}

/** The standard error answers every authenticated route can give. */
/** An answer without a body (204: no content type to document). */
export const noContent = z.null().meta({ type: 'null', description: 'No content' });

export const errorResponses = {
  400: ZErrorResponse,
  401: ZErrorResponse,
  403: ZErrorResponse,
  404: ZErrorResponse,
} as const;
