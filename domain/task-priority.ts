/**
 * How urgent an officer task is, with the reasons in words so the queue can show why a task sits
 * where it does. Higher first. Scored when the task is created and again whenever what it reads
 * changes: a payment (the balance), a broken promise, a new contact (records/task-queue.ts).
 */

export interface TaskFacts {
  kind: string;
  /** Minor units. */
  balance: number;
  daysPastDue: number;
  /** The case's last arrangement was broken and nothing has been agreed since. */
  brokenPromise?: boolean;
  /** Contacts found for the person (skip trace, an officer) and not yet verified: new ways to reach them. */
  newContacts?: number;
}

const kindWeight: Record<string, number> = {
  broken_promise: 30,
  dispute: 25,
  approval: 25,
  reply: 20,
  legal_review: 15,
  call: 10,
};

/** Points for a broken promise on the case, and for new contacts to try. */
const brokenPromisePoints = 15;
const newContactPoints = 5;

export function taskPriority({ kind, balance, daysPastDue, brokenPromise = false, newContacts = 0 }: TaskFacts): { score: number; reasons: string[] } {
  const reasons: string[] = [];
  const kindPoints = kindWeight[kind] ?? 5;
  reasons.push(`${kind.replace(/_/g, ' ')} (+${kindPoints})`);
  // Each tenfold of balance adds ten points: 100 → 20, 1,000 → 30, 10,000 → 40 (in major units).
  const balancePoints = balance > 0 ? Math.round(10 * Math.log10(Math.max(1, balance / 100))) : 0;
  reasons.push(`balance (+${balancePoints})`);
  const agePoints = Math.min(30, Math.floor(daysPastDue / 10));
  reasons.push(`${daysPastDue} days past due (+${agePoints})`);
  let score = kindPoints + balancePoints + agePoints;
  // A task about the broken promise already counts it in its kind.
  if (brokenPromise && kind !== 'broken_promise') {
    score += brokenPromisePoints;
    reasons.push(`promise broken (+${brokenPromisePoints})`);
  }
  if (newContacts > 0) {
    score += newContactPoints;
    reasons.push(`new contact to try (+${newContactPoints})`);
  }
  return { score, reasons };
}
