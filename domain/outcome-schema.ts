import { z } from 'zod';
import { calendarDateSchema } from './dates.js';

/**
 * What an officer (or a manager) records after talking to a debtor, as the API accepts it. The
 * case workflow checks the same shapes without zod (domain/outcome-shape.ts): this module stays
 * out of the workflow bundle, where only its types are imported.
 */

/** Builds the schema of an outcome, on first use (a process that never takes an outcome never builds it). */
function buildOutcomeSchema() {
  const ZDate = calendarDateSchema();
  const ZAmount = z.number().int('must be a whole number of minor units (cents)').positive();
  return z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('promise_to_pay'), amount: ZAmount, dueDate: ZDate }).strict(),
    z
      .object({
        kind: z.literal('payment_plan'),
        downPayment: z.number().int().nonnegative().default(0),
        installments: z.number().int().min(1).max(120),
        frequency: z.enum(['weekly', 'fortnightly', 'monthly']),
        firstDueDate: ZDate,
      })
      .strict(),
    z
      .object({
        kind: z.literal('settlement'),
        /** The total the debtor pays to settle, minor units. */
        amount: ZAmount,
        /** 1 for a lump sum; a short plan otherwise. */
        installments: z.number().int().min(1).max(6).default(1),
        frequency: z.enum(['weekly', 'fortnightly', 'monthly']).default('monthly'),
        firstDueDate: ZDate,
      })
      .strict(),
    z.object({ kind: z.literal('settlement_decision'), approve: z.boolean(), note: z.string().max(2000).optional() }).strict(),
    z
      .object({
        kind: z.literal('dispute'),
        reason: z.string().min(1).max(2000),
        /** What the debtor asked: to dispute the debt (the default), or for the original creditor's name and address (12 CFR 1006.38(c)); both hold collection until answered. */
        about: z.enum(['debt', 'original_creditor']).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('dispute_resolution'),
        upheld: z.boolean(),
        note: z.string().min(1).max(2000),
        /** The original creditor's name and address, answering a request for it (sent to the debtor with the itemization). */
        originalCreditor: z.string().trim().min(1).max(400).optional(),
      })
      .strict(),
    z.object({ kind: z.literal('hardship_pause'), until: ZDate, reason: z.string().min(1).max(2000) }).strict(),
    z.object({ kind: z.literal('cease_contact'), reason: z.string().max(2000).optional() }).strict(),
    z.object({ kind: z.literal('wrong_party'), note: z.string().max(2000).optional() }).strict(),
    z.object({ kind: z.literal('deceased'), note: z.string().max(2000).optional() }).strict(),
    z.object({ kind: z.literal('bankruptcy'), note: z.string().max(2000).optional() }).strict(),
    z.object({ kind: z.literal('escalate'), to: z.enum(['legal', 'agency']), reason: z.string().min(1).max(2000) }).strict(),
    z.object({ kind: z.literal('recall'), reason: z.string().min(1).max(2000) }).strict(),
    z.object({ kind: z.literal('close'), reason: z.enum(['written_off', 'uncollectible']), note: z.string().min(1).max(2000) }).strict(),
    // Account servicing: changes to the arrangement in force, each with the reason for the record.
    z
      .object({
        kind: z.literal('arrangement_amend'),
        /** What is left to pay, re-planned in this many installments. */
        installments: z.number().int().min(1).max(120),
        frequency: z.enum(['weekly', 'fortnightly', 'monthly']),
        firstDueDate: ZDate,
        reason: z.string().trim().min(1).max(2000),
      })
      .strict(),
    z.object({ kind: z.literal('arrangement_reschedule'), dueDate: ZDate, reason: z.string().trim().min(1).max(2000) }).strict(),
    z.object({ kind: z.literal('arrangement_cancel'), reason: z.string().trim().min(1).max(2000) }).strict(),
    /** A manager's decision on what waits for approval: a new plan or settlement, or a change to one. */
    z.object({ kind: z.literal('arrangement_decision'), approve: z.boolean(), note: z.string().max(2000).optional() }).strict(),
  ]);
}

let outcomeSchemaBuilt: ReturnType<typeof buildOutcomeSchema> | undefined;

/** The outcome schema, for request bodies. */
export function outcomeSchema(): ReturnType<typeof buildOutcomeSchema> {
  return (outcomeSchemaBuilt ??= buildOutcomeSchema());
}

export type TOutcome = z.infer<ReturnType<typeof outcomeSchema>>;
