import { DateTime } from 'luxon';
import type { TOutcome } from './outcome-schema.js';

/**
 * The shape check of an outcome inside the case workflow, for callers other than the API (scripts,
 * the Temporal CLI), without zod: the workflow bundle evaluates every module it imports again for
 * each new case and keeps it while the case is cached, and zod's own modules were half of a
 * cached case's memory (bench scenario 3: 898 → 439 KiB per open case without them). The API
 * checks the same shapes with zod (domain/outcome-schema.ts); test/domain/outcome-shape.test.ts
 * holds the two to the same answers on generated input.
 */

type Field =
  | { type: 'int'; min: number; max?: number; optional?: true; minorUnits?: true }
  | { type: 'text'; min: number; max: number; trim?: true; optional?: true }
  | { type: 'enum'; values: readonly string[]; optional?: true }
  | { type: 'date' }
  | { type: 'bool' };

const amount: Field = { type: 'int', min: 1, minorUnits: true };
const date: Field = { type: 'date' };
const frequency: Field = { type: 'enum', values: ['weekly', 'fortnightly', 'monthly'] };
const reason: Field = { type: 'text', min: 1, max: 2000 };
const optionalNote: Field = { type: 'text', min: 0, max: 2000, optional: true };
const trimmedReason: Field = { type: 'text', min: 1, max: 2000, trim: true };

/** Each kind's fields, as domain/outcome-schema.ts declares them. */
const shapes: Record<TOutcome['kind'], Record<string, Field>> = {
  promise_to_pay: { amount, dueDate: date },
  payment_plan: { downPayment: { type: 'int', min: 0, optional: true }, installments: { type: 'int', min: 1, max: 120 }, frequency, firstDueDate: date },
  settlement: { amount, installments: { type: 'int', min: 1, max: 6, optional: true }, frequency: { ...frequency, optional: true }, firstDueDate: date },
  settlement_decision: { approve: { type: 'bool' }, note: optionalNote },
  dispute: { reason, about: { type: 'enum', values: ['debt', 'original_creditor'], optional: true } },
  dispute_resolution: { upheld: { type: 'bool' }, note: reason, originalCreditor: { type: 'text', min: 1, max: 400, trim: true, optional: true } },
  hardship_pause: { until: date, reason },
  cease_contact: { reason: optionalNote },
  wrong_party: { note: optionalNote },
  deceased: { note: optionalNote },
  bankruptcy: { note: optionalNote },
  escalate: { to: { type: 'enum', values: ['legal', 'agency'] }, reason },
  recall: { reason },
  close: { reason: { type: 'enum', values: ['written_off', 'uncollectible'] }, note: reason },
  arrangement_amend: { installments: { type: 'int', min: 1, max: 120 }, frequency, firstDueDate: date, reason: trimmedReason },
  arrangement_reschedule: { dueDate: date, reason: trimmedReason },
  arrangement_cancel: { reason: trimmedReason },
  arrangement_decision: { approve: { type: 'bool' }, note: optionalNote },
};

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/** Why `value` does not fit `field`, or null. */
function misfit(field: Field, value: unknown): string | null {
  switch (field.type) {
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return field.minorUnits ? 'must be a whole number of minor units (cents)' : 'must be a whole number';
      if (value < field.min) return `must be at least ${field.min}`;
      return field.max !== undefined && value > field.max ? `must be at most ${field.max}` : null;
    case 'text': {
      if (typeof value !== 'string') return 'must be text';
      const length = (field.trim ? value.trim() : value).length;
      if (length < field.min) return 'must not be empty';
      return length > field.max ? `must be at most ${field.max} characters` : null;
    }
    case 'enum':
      return typeof value === 'string' && field.values.includes(value) ? null : `must be one of ${field.values.join(', ')}`;
    case 'date': {
      if (typeof value !== 'string' || !isoDate.test(value) || !DateTime.fromISO(value, { zone: 'utc' }).isValid) return 'must be a date YYYY-MM-DD';
      const year = Number(value.slice(0, 4));
      return year >= 1900 && year <= 2200 ? null : 'the year must be between 1900 and 2200';
    }
    case 'bool':
      return typeof value === 'boolean' ? null : 'must be true or false';
  }
}

/** The first field of `value` that does not fit an outcome's shape, with the reason, or null when it fits. */
export function outcomeShapeProblem(value: unknown): { field: string; reason: string } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { field: 'kind', reason: 'not an outcome' };
  const record = value as Record<string, unknown>;
  const shape = typeof record.kind === 'string' && Object.hasOwn(shapes, record.kind) ? shapes[record.kind as TOutcome['kind']] : undefined;
  if (!shape) return { field: 'kind', reason: 'not a known outcome kind' };
  for (const [name, field] of Object.entries(shape)) {
    const given = record[name];
    if (given === undefined && 'optional' in field && field.optional) continue;
    const problem = given === undefined ? 'is required' : misfit(field, given);
    if (problem) return { field: name, reason: problem };
  }
  const unknown = Object.keys(record).find((key) => key !== 'kind' && !Object.hasOwn(shape, key));
  return unknown === undefined ? null : { field: unknown, reason: 'is not a field of this outcome' };
}
