import { DateTime } from 'luxon';
import { installmentStanding, planSchedule, scheduleTotal, type Frequency, type Installment } from './arrangements.js';

/**
 * Changes to an arrangement in force: amend (the rest re-planned), reschedule (the open
 * installments moved). Pure, shared by the workflow's outcome validator and the API's preview.
 *
 * What was already paid stays in the schedule as it stood (each installment cut to its paid part),
 * so the arrangement's `paidTotal` still covers it exactly; a payment returned later leaves that
 * part short, and the arrangement breaks on it like on any unpaid installment.
 */

/** The arrangement a change applies to, as the case holds it. */
export interface CurrentArrangement {
  kind: 'promise' | 'plan' | 'settlement';
  installments: Installment[];
  paidTotal: number;
  graceDays: number;
}

/** The part already paid, installment by installment, and what is left to pay. */
function split({ installments, paidTotal, graceDays }: CurrentArrangement): { paid: Installment[]; open: Installment[]; remaining: number } {
  const standing = installmentStanding(installments, paidTotal, graceDays);
  const paid = standing.filter((each) => each.paid > 0).map(({ seq, dueDate, paid: amount }) => ({ seq, dueDate, amount }));
  const open = standing.filter((each) => each.paid < each.amount).map(({ seq, dueDate, amount, paid: part }) => ({ seq, dueDate, amount: amount - part }));
  return { paid, open, remaining: scheduleTotal(installments) - Math.min(paidTotal, scheduleTotal(installments)) };
}

/** The amended schedule: what was paid as it stood, then the rest in `count` installments from `firstDueDate`. */
export function amendedSchedule(current: CurrentArrangement, { count, frequency, firstDueDate }: { count: number; frequency: Frequency; firstDueDate: string }): { schedule: Installment[]; remaining: number } {
  const { paid, remaining } = split(current);
  const rest = planSchedule({ total: remaining, count, frequency, firstDueDate });
  return { schedule: renumbered([...paid, ...rest]), remaining };
}

/**
 * The rescheduled schedule: the first open installment falls on `dueDate` and every later one
 * moves by the same number of days; what was paid stays where it was.
 */
export function rescheduledSchedule(current: CurrentArrangement, dueDate: string): { schedule: Installment[]; shiftDays: number; first: Installment | null } {
  const { paid, open } = split(current);
  const first = open[0];
  if (!first) return { schedule: current.installments, shiftDays: 0, first: null };
  const shiftDays = Math.round(DateTime.fromISO(dueDate, { zone: 'utc' }).diff(DateTime.fromISO(first.dueDate, { zone: 'utc' }), 'days').days);
  const moved = open.map((each) => ({ ...each, dueDate: DateTime.fromISO(each.dueDate, { zone: 'utc' }).plus({ days: shiftDays }).toISODate() ?? each.dueDate }));
  // A partly paid installment keeps its paid part on the old date and its open part moves.
  return { schedule: renumbered([...paid, ...moved]), shiftDays, first };
}

/** Numbered 1, 2, 3... in order (reminders are keyed by number, so a changed schedule reminds again). */
function renumbered(schedule: Installment[]): Installment[] {
  return schedule.map((each, index) => ({ ...each, seq: index + 1 }));
}

/** The latest due date of a schedule. */
export function lastDueDate(schedule: Installment[]): string | null {
  return schedule.reduce<string | null>((latest, each) => (latest === null || each.dueDate > latest ? each.dueDate : latest), null);
}
