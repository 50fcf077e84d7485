import { DateTime } from 'luxon';

/**
 * Promises, payment plans and settlements are all "arrangements": a schedule of dated amounts that
 * payments are applied to in order. Pure functions, shared by the workflow and the API's preview
 * of a plan before an officer submits it.
 */

export const Frequency = { weekly: 'weekly', fortnightly: 'fortnightly', monthly: 'monthly' } as const;
export type Frequency = (typeof Frequency)[keyof typeof Frequency];

export interface Installment {
  /** 0 is the down payment when there is one. */
  seq: number;
  /** Calendar date, YYYY-MM-DD. */
  dueDate: string;
  /** Minor units. */
  amount: number;
}

export interface InstallmentStanding extends Installment {
  paid: number;
  /** The instant after which it is broken if still unpaid: the end of the due date plus grace days, UTC. */
  deadline: number;
}

function step(date: DateTime, frequency: Frequency, times: number): DateTime {
  if (frequency === 'weekly') return date.plus({ weeks: times });
  if (frequency === 'fortnightly') return date.plus({ weeks: 2 * times });
  // From the first date each time, so 31 Jan → 28 Feb → 31 Mar rather than drifting to the 28th.
  return date.plus({ months: times });
}

/**
 * The schedule for `total` paid as an optional down payment on `firstDueDate` and `count` equal
 * installments; the last installment absorbs the rounding so the schedule sums to `total`.
 */
export function planSchedule({
  total,
  downPayment = 0,
  count,
  frequency,
  firstDueDate,
}: {
  total: number;
  downPayment?: number;
  count: number;
  frequency: Frequency;
  firstDueDate: string;
}): Installment[] {
  const first = DateTime.fromISO(firstDueDate, { zone: 'utc' });
  const installments: Installment[] = [];
  if (downPayment > 0) installments.push({ seq: 0, dueDate: firstDueDate, amount: downPayment });
  const rest = total - downPayment;
  const each = Math.floor(rest / count);
  const offset = downPayment > 0 ? 1 : 0;
  for (let index = 0; index < count; index++) {
    const amount = index === count - 1 ? rest - each * (count - 1) : each;
    installments.push({ seq: index + 1, dueDate: step(first, frequency, index + offset).toISODate() ?? firstDueDate, amount });
  }
  return installments;
}

/** Payments are applied oldest installment first; early and partial payments fall where they belong. */
export function installmentStanding(installments: Installment[], paidTotal: number, graceDays: number): InstallmentStanding[] {
  let remaining = paidTotal;
  return installments.map((installment) => {
    const paid = Math.min(installment.amount, Math.max(0, remaining));
    remaining -= paid;
    const deadline = DateTime.fromISO(installment.dueDate, { zone: 'utc' }).plus({ days: graceDays + 1 }).toMillis();
    return { ...installment, paid, deadline };
  });
}

export type ArrangementCheck =
  | { kind: 'kept' }
  | { kind: 'broken'; installment: InstallmentStanding }
  | { kind: 'pending'; next: InstallmentStanding };

/** Kept when everything is paid; broken when an installment is unpaid past its deadline; else pending. */
export function checkArrangement(installments: Installment[], paidTotal: number, graceDays: number, now: number): ArrangementCheck {
  const standing = installmentStanding(installments, paidTotal, graceDays);
  const open = standing.filter((installment) => installment.paid < installment.amount);
  const first = open[0];
  if (!first) return { kind: 'kept' };
  if (first.deadline <= now) return { kind: 'broken', installment: first };
  return { kind: 'pending', next: first };
}

/** The total an arrangement asks for. */
export function scheduleTotal(installments: Installment[]): number {
  return installments.reduce((sum, installment) => sum + installment.amount, 0);
}
