import { z } from 'zod';
import type { CallOutcome, Outcome } from '../api/types';
import { toMinor } from '../format';

/**
 * The call-outcome form as the officer fills it (text inputs), checked field by field, and turned
 * into the API's outcome. The policy itself is the API's to apply: the form only asks for what
 * each kind needs, and the preview shows the API's answer before anything is recorded.
 */

export const callOutcomes = ['right_party_contact', 'no_answer', 'left_message', 'wrong_number', 'refused', 'promise', 'plan', 'settlement', 'dispute', 'other'] as const satisfies readonly CallOutcome[];

export const officerKinds = ['none', 'promise_to_pay', 'payment_plan', 'settlement', 'dispute', 'hardship_pause', 'cease_contact', 'wrong_party', 'deceased', 'bankruptcy', 'escalate'] as const;
export const managerKinds = [...officerKinds, 'settlement_decision', 'dispute_resolution', 'recall', 'close'] as const;
export type FormKind = (typeof managerKinds)[number];

export const kindLabels: Record<FormKind, string> = {
  none: 'Nothing negotiated',
  promise_to_pay: 'Promise to pay',
  payment_plan: 'Payment plan',
  settlement: 'Settlement',
  dispute: 'Dispute',
  hardship_pause: 'Hardship pause',
  cease_contact: 'Cease contact',
  wrong_party: 'Wrong party',
  deceased: 'Deceased',
  bankruptcy: 'Bankruptcy',
  escalate: 'Escalate',
  settlement_decision: 'Settlement decision (manager)',
  dispute_resolution: 'Dispute resolution (manager)',
  recall: 'Recall from agency (manager)',
  close: 'Close (manager)',
};

/** The call outcome that usually goes with a negotiated kind. */
export const callOutcomeFor: Partial<Record<FormKind, CallOutcome>> = {
  promise_to_pay: 'promise',
  payment_plan: 'plan',
  settlement: 'settlement',
  dispute: 'dispute',
  wrong_party: 'wrong_number',
};

const ZMoney = z.string().trim().regex(/^\d+(\.\d{1,2})?$/, 'an amount such as 400 or 400.50');
const ZDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date');
const ZCount = (max: number) => z.string().regex(/^\d+$/, 'a whole number').refine((value) => Number(value) >= 1 && Number(value) <= max, `between 1 and ${max}`);
const ZText = z.string().trim().min(1, 'say why').max(2000);

export const ZOutcomeForm = z
  .object({
    callOutcome: z.enum(callOutcomes),
    kind: z.enum(managerKinds),
    amount: z.string(),
    dueDate: z.string(),
    downPayment: z.string(),
    installments: z.string(),
    frequency: z.enum(['weekly', 'fortnightly', 'monthly']),
    firstDueDate: z.string(),
    until: z.string(),
    reason: z.string(),
    note: z.string().max(2000),
    to: z.enum(['legal', 'agency']),
    decision: z.enum(['yes', 'no']),
    closeReason: z.enum(['written_off', 'uncollectible']),
  })
  .superRefine((form, ctx) => {
    const need = (field: keyof typeof form, schema: z.ZodType) => {
      const result = schema.safeParse(form[field]);
      if (!result.success) ctx.addIssue({ code: 'custom', path: [field], message: result.error.issues[0]?.message ?? 'invalid' });
    };
    switch (form.kind) {
      case 'promise_to_pay':
        need('amount', ZMoney);
        need('dueDate', ZDate);
        break;
      case 'payment_plan':
        if (form.downPayment.trim()) need('downPayment', ZMoney);
        need('installments', ZCount(120));
        need('firstDueDate', ZDate);
        break;
      case 'settlement':
        need('amount', ZMoney);
        need('installments', ZCount(6));
        need('firstDueDate', ZDate);
        break;
      case 'hardship_pause':
        need('until', ZDate);
        need('reason', ZText);
        break;
      case 'dispute':
      case 'escalate':
      case 'recall':
        need('reason', ZText);
        break;
      case 'dispute_resolution':
      case 'close':
        need('note', ZText);
        break;
      default:
        break;
    }
  });
export type OutcomeFormValues = z.infer<typeof ZOutcomeForm>;

const optionalNote = (note: string) => (note.trim() ? { note: note.trim() } : {});

/** The API outcome the form describes; null when nothing was negotiated. Call on valid values. */
export function outcomeOf(form: OutcomeFormValues): Outcome | null {
  switch (form.kind) {
    case 'none':
      return null;
    case 'promise_to_pay':
      return { kind: 'promise_to_pay', amount: toMinor(form.amount), dueDate: form.dueDate };
    case 'payment_plan':
      return { kind: 'payment_plan', downPayment: form.downPayment.trim() ? toMinor(form.downPayment) : 0, installments: Number(form.installments), frequency: form.frequency, firstDueDate: form.firstDueDate };
    case 'settlement':
      return { kind: 'settlement', amount: toMinor(form.amount), installments: Number(form.installments), frequency: form.frequency, firstDueDate: form.firstDueDate };
    case 'dispute':
      return { kind: 'dispute', reason: form.reason.trim() };
    case 'hardship_pause':
      return { kind: 'hardship_pause', until: form.until, reason: form.reason.trim() };
    case 'cease_contact':
      return { kind: 'cease_contact', ...(form.reason.trim() ? { reason: form.reason.trim() } : {}) };
    case 'wrong_party':
    case 'deceased':
    case 'bankruptcy':
      return { kind: form.kind, ...optionalNote(form.note) };
    case 'escalate':
      return { kind: 'escalate', to: form.to, reason: form.reason.trim() };
    case 'settlement_decision':
      return { kind: 'settlement_decision', approve: form.decision === 'yes', ...optionalNote(form.note) };
    case 'dispute_resolution':
      return { kind: 'dispute_resolution', upheld: form.decision === 'yes', note: form.note.trim() };
    case 'recall':
      return { kind: 'recall', reason: form.reason.trim() };
    case 'close':
      return { kind: 'close', reason: form.closeReason, note: form.note.trim() };
  }
}
