import { z } from 'zod';
import { calendarDateSchema, instantSchema } from '../domain/dates.js';

/** Response shapes shared by several routes; request shapes live with their routes or in domain/. */

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
});

/** Why collection is on hold (dispute, hardship, legal review, wrong party), apart from a pause. */
export const ZHoldView = z.object({ kind: z.string(), reason: z.string(), since: z.string(), until: z.string().nullable() });

export const ZCaseDetail = ZCaseView.extend({
  /** From the live workflow; null when none is in force or the workflow could not be asked. */
  arrangement: ZArrangementView.nullable(),
  hold: ZHoldView.nullable(),
  payments: z.array(z.object({ reference: z.string(), amount: z.number().int(), currency: z.string(), receivedAt: z.string() })),
  history: z.array(z.object({ at: z.string(), actor: z.string(), action: z.string(), detail: z.string().nullable() })),
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

/** The standard error answers every authenticated route can give. */
export const errorResponses = {
  400: ZErrorResponse,
  401: ZErrorResponse,
  403: ZErrorResponse,
  404: ZErrorResponse,
} as const;
