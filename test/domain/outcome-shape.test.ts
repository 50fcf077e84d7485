import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcomeSchema } from '../../domain/outcome-schema.js';
import { outcomeShapeProblem } from '../../domain/outcome-shape.js';

/**
 * The workflow's zod-free shape check (domain/outcome-shape.ts) and the API's zod schema
 * (domain/outcome-schema.ts) give the same answer on generated outcomes: valid ones, ones with a
 * field of the wrong type, out of range, missing, or unknown. A kind or a field added to one and
 * not the other fails here.
 */

const kinds = [
  'promise_to_pay', 'payment_plan', 'settlement', 'settlement_decision', 'dispute', 'dispute_resolution', 'hardship_pause', 'cease_contact', 'wrong_party',
  'deceased', 'bankruptcy', 'escalate', 'recall', 'close', 'arrangement_amend', 'arrangement_reschedule', 'arrangement_cancel', 'arrangement_decision',
];
const fields = ['amount', 'dueDate', 'downPayment', 'installments', 'frequency', 'firstDueDate', 'approve', 'note', 'reason', 'upheld', 'until', 'to', 'about', 'originalCreditor'];

/** Values near every field's edges, of every type. */
const arbValue = fc.oneof(
  fc.constantFrom(0, 1, 2, 6, 7, 120, 121, -1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, 50_000),
  fc.integer({ min: -5, max: 200 }),
  fc.constantFrom('2026-12-24', '2024-02-29', '2026-02-29', '2026-13-01', '1899-12-31', '1900-01-01', '2200-12-31', '2201-01-01', '26-12-24', '2026-12-24T00:00:00Z'),
  fc.constantFrom('weekly', 'fortnightly', 'monthly', 'daily', 'legal', 'agency', 'written_off', 'uncollectible', 'paid', 'debt', 'original_creditor'),
  fc.constantFrom('', ' ', '   x  ', 'a reason', 'x'.repeat(400), ` ${'x'.repeat(400)} `, 'x'.repeat(401), 'x'.repeat(2000), 'x'.repeat(2001), ` ${'x'.repeat(2000)} `),
  fc.boolean(),
  fc.constantFrom(null, [], {}),
);

/** The first field's valid-looking values per kind, so that some generated outcomes are whole and valid. */
const arbOutcome = fc
  .tuple(fc.oneof(fc.constantFrom(...kinds), fc.constantFrom('promise', 'KIND', '')), fc.dictionary(fc.constantFrom(...fields, 'extra'), arbValue, { maxKeys: 6 }))
  .map(([kind, rest]) => ({ ...rest, kind }));

const valid = [
  { kind: 'promise_to_pay', amount: 20_000, dueDate: '2026-12-24' },
  { kind: 'payment_plan', installments: 6, frequency: 'monthly', firstDueDate: '2027-01-05' },
  { kind: 'payment_plan', downPayment: 0, installments: 120, frequency: 'weekly', firstDueDate: '2027-01-05' },
  { kind: 'settlement', amount: 30_000, firstDueDate: '2027-01-05' },
  { kind: 'settlement_decision', approve: true },
  { kind: 'dispute_resolution', upheld: false, note: 'verified' },
  { kind: 'dispute', reason: 'who is the creditor?', about: 'original_creditor' },
  { kind: 'dispute_resolution', upheld: false, note: 'answered', originalCreditor: ' First Bank, 1 Main St ' },
  { kind: 'close', reason: 'written_off', note: 'uncollectible after review' },
  { kind: 'arrangement_amend', installments: 3, frequency: 'fortnightly', firstDueDate: '2027-02-01', reason: 'hardship' },
  { kind: 'cease_contact' },
];

function agree(value: unknown): void {
  const zod = outcomeSchema().safeParse(value);
  const ours = outcomeShapeProblem(value);
  expect(ours === null, `${JSON.stringify(value)}: zod ${zod.success ? 'accepts' : JSON.stringify(zod.error.issues.map((issue) => [issue.path, issue.message]))}, ours ${JSON.stringify(ours)}`).toBe(zod.success);
  if (zod.success || !ours) return;
  // Ours names one of the fields zod finds wrong (an unknown key is named by zod in `keys`).
  const named = zod.error.issues.flatMap((issue) => ('keys' in issue ? (issue.keys) : [issue.path[0] === undefined ? 'kind' : String(issue.path[0])]));
  expect(named, JSON.stringify(value)).toContain(ours.field);
}

describe('the workflow\'s outcome shape check', () => {
  it('accepts what the API accepts', () => {
    for (const outcome of valid) expect(outcomeShapeProblem(outcome), JSON.stringify(outcome)).toBeNull();
    for (const outcome of valid) agree(outcome);
  });

  it('answers as the API\'s schema does on generated outcomes', () => {
    fc.assert(fc.property(arbOutcome, (value) => agree(value)), { numRuns: 20_000 });
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.constantFrom(...fields, 'extra'), arbValue, (outcome, field, value) => agree({ ...outcome, [field]: value })),
      { numRuns: 20_000 },
    );
  });

  it('refuses what is not an object, naming the kind', () => {
    for (const value of [null, 'promise_to_pay', 42, [], undefined]) {
      expect(outcomeShapeProblem(value)).toMatchObject({ field: 'kind' });
      expect(outcomeSchema().safeParse(value).success).toBe(false);
    }
  });
});
