/**
 * How urgent an officer task is, with the reasons in words so the queue can show why a task sits
 * where it does. Higher first.
 */

export interface TaskFacts {
  kind: string;
  /** Minor units. */
  balance: number;
  daysPastDue: number;
}

const kindWeight: Record<string, number> = {
  broken_promise: 30,
  dispute: 25,
  approval: 25,
  reply: 20,
  legal_review: 15,
  call: 10,
};

export function taskPriority({ kind, balance, daysPastDue }: TaskFacts): { score: number; reasons: string[] } {
  const reasons: string[] = [];
  const kindPoints = kindWeight[kind] ?? 5;
  reasons.push(`${kind.replace(/_/g, ' ')} (+${kindPoints})`);
  // Each tenfold of balance adds ten points: 100 → 20, 1,000 → 30, 10,000 → 40 (in major units).
  const balancePoints = balance > 0 ? Math.round(10 * Math.log10(Math.max(1, balance / 100))) : 0;
  reasons.push(`balance (+${balancePoints})`);
  const agePoints = Math.min(30, Math.floor(daysPastDue / 10));
  reasons.push(`${daysPastDue} days past due (+${agePoints})`);
  return { score: kindPoints + balancePoints + agePoints, reasons };
}
