import { z } from 'zod';

/**
 * What a client (creditor) is owed each month, as pure functions: the commission on a recovered
 * payment (a percentage by the debt's age band or by the type of recovery), which monthly
 * statement a payment or its return belongs on, and the statement's netting. Money is integer
 * minor units; rates are kept as basis points (hundredths of a percent) so no float reaches money.
 *
 * The rules:
 * - every payment is remitted once (`collected`), and its return, if any, once (`reversal`): the
 *   reversal takes back exactly the amount returned and the commission that amount earned, at the
 *   original payment's rate, so a full return nets the payment to zero;
 * - an item belongs to the statement of the month it happened in (UTC), unless that statement
 *   was already issued: then to the first month after it not yet issued (a return after the
 *   payment's month was remitted, or a payment learned late, is carried, never lost);
 * - a statement whose returns exceed its collections remits nothing and carries the difference
 *   into the next issued statement, which nets it.
 */

export const RecoveryType = {
  /** Paid with no arrangement in force. */
  voluntary: 'voluntary',
  promise: 'promise',
  plan: 'plan',
  settlement: 'settlement',
  /** Paid while the case was placed with an agency. */
  agency: 'agency',
} as const;
export type RecoveryType = (typeof RecoveryType)[keyof typeof RecoveryType];
export const recoveryTypes = Object.values(RecoveryType);

/** A percentage with at most two decimals, 0 to 100. */
export const ZRatePercent = z
  .number()
  .min(0, 'a commission rate cannot be negative')
  .max(100, 'a commission rate is a percentage of at most 100')
  .refine((value) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-9, 'at most two decimals (25.5 or 33.33)');

const ZAgeBand = z
  .object({
    /** Days past due at placement from which the band applies (inclusive); the next band's `fromDays` ends it. */
    fromDays: z.number().int().nonnegative(),
    ratePercent: ZRatePercent,
  })
  .strict();

export const ZCommission = z.discriminatedUnion('basis', [
  z
    .object({
      basis: z.literal('age_band'),
      bands: z
        .array(ZAgeBand)
        .min(1, 'at least one band')
        .max(20)
        .superRefine((bands, ctx) => {
          if (bands[0] && bands[0].fromDays !== 0) ctx.addIssue({ code: 'custom', path: [0, 'fromDays'], message: 'the first band starts at 0 days' });
          bands.forEach((band, index) => {
            const before = bands[index - 1];
            if (before && band.fromDays <= before.fromDays) ctx.addIssue({ code: 'custom', path: [index, 'fromDays'], message: `must be above the previous band's ${before.fromDays}` });
          });
        }),
    })
    .strict(),
  z
    .object({
      basis: z.literal('recovery_type'),
      rates: z.object(Object.fromEntries(recoveryTypes.map((type) => [type, ZRatePercent])) as Record<RecoveryType, typeof ZRatePercent>).strict(),
    })
    .strict(),
]);
export type TCommission = z.infer<typeof ZCommission>;

/** What the commission rate depends on. */
export interface CommissionFacts {
  /** Days past due when the account was placed. */
  daysPastDue: number;
  recoveryType: RecoveryType;
}

const basisPoints = (percent: number) => Math.round(percent * 100);

/** The rate that applies to a payment, in basis points (2550 = 25.5%). */
export function commissionRateBp(commission: TCommission, facts: CommissionFacts): number {
  if (commission.basis === 'recovery_type') return basisPoints(commission.rates[facts.recoveryType]);
  let rate = 0;
  for (const band of commission.bands) if (facts.daysPastDue >= band.fromDays) rate = band.ratePercent;
  return basisPoints(rate);
}

/**
 * The commission on `amount` minor units at `rateBp`, rounded half up to the minor unit; a
 * negative amount (a return) gives exactly the negative of the same positive amount's commission.
 */
export function commissionOn(amount: number, rateBp: number): number {
  const magnitude = Math.floor((Math.abs(amount) * rateBp + 5000) / 10000);
  return amount < 0 ? -magnitude : magnitude;
}

/** What happened on a case up to a payment, as far as the recovery type goes (audit event actions). */
export interface RecoveryEvent {
  action: string;
  /** arrangement_made: the arrangement's kind, and whether it waits for a manager's approval. */
  kind?: string | undefined;
  needsApproval?: boolean | undefined;
  /** payment_applied: the payment's reference. */
  reference?: string | undefined;
}

/**
 * How a payment was recovered, from the case's events in order: an agency placement in force wins,
 * then the arrangement in force (an approved one; a settlement waiting for approval is not yet in
 * force), else voluntary. The payment is found by its `payment_applied` event; without one (a
 * projection written straight), what was in force after every event is used.
 */
export function recoveryTypeOf(events: readonly RecoveryEvent[], reference: string): RecoveryType {
  let arrangement: RecoveryType | null = null;
  let placed = false;
  for (const event of events) {
    if (event.action === 'payment_applied' && event.reference === reference) break;
    if (event.action === 'arrangement_made' && !event.needsApproval && (event.kind === 'promise' || event.kind === 'plan' || event.kind === 'settlement')) arrangement = event.kind;
    else if (event.action === 'arrangement_kept' || event.action === 'arrangement_broken' || event.action === 'arrangement_cancelled') arrangement = null;
    else if (event.action === 'placed') placed = true;
    else if (event.action === 'recalled') placed = false;
  }
  return placed ? RecoveryType.agency : (arrangement ?? RecoveryType.voluntary);
}

// ---- periods (UTC months, YYYY-MM) ----

export const ZPeriod = z.string().max(7).regex(/^20\d{2}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM (2000-2099)');

export const periodOf = (at: Date): string => at.toISOString().slice(0, 7);

/** The period's first instant and the next period's first instant (UTC). */
export function periodBounds(period: string): { start: Date; end: Date } {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return { start: new Date(Date.UTC(year, month - 1, 1)), end: new Date(Date.UTC(year, month, 1)) };
}

export const nextPeriod = (period: string): string => periodOf(periodBounds(period).end);

/** The statement an item dated in `itemPeriod` goes on: its own month's, or the first month after it not yet issued. */
export function placementPeriod(itemPeriod: string, issued: ReadonlySet<string>): string {
  let period = itemPeriod;
  while (issued.has(period)) period = nextPeriod(period);
  return period;
}

// ---- statement lines and netting ----

export const ItemKind = { collected: 'collected', reversal: 'reversal' } as const;
export type ItemKind = (typeof ItemKind)[keyof typeof ItemKind];

/** A payment or its return, not yet on an issued statement. Amounts are positive; the line signs them. */
export interface RemittanceItem {
  paymentId: string;
  kind: ItemKind;
  at: Date;
  /** Minor units received (collected) or returned (reversal), positive. */
  amount: number;
  currency: string;
  portfolio: string;
  accountExternalId: string;
  reference: string;
  /** When the payment was received: a reversal's commission is the one its payment earned. */
  paymentAt: Date;
  rateBp: number;
  recoveryType: RecoveryType;
  daysPastDue: number;
}

export interface StatementLine {
  paymentId: string;
  kind: ItemKind;
  /** ISO instant of the payment (collected) or of the return (reversal). */
  date: string;
  /** The month the payment was received. */
  paymentPeriod: string;
  /** On this statement though it belongs to an earlier month: learned late, or a return of a payment remitted before. */
  carried: boolean;
  portfolio: string;
  accountExternalId: string;
  reference: string;
  currency: string;
  recoveryType: RecoveryType;
  daysPastDue: number;
  /** e.g. 25.5 */
  ratePercent: number;
  /** Signed minor units: positive collected, negative returned. */
  amount: number;
  commission: number;
  net: number;
}

/** The lines of `period`'s statement: the items that belong on it, collected before returns, by date. */
export function statementLines(items: readonly RemittanceItem[], period: string, issued: ReadonlySet<string>): StatementLine[] {
  return items
    .filter((item) => placementPeriod(periodOf(item.at), issued) === period)
    .map((item) => {
      const sign = item.kind === ItemKind.reversal ? -1 : 1;
      const amount = sign * item.amount;
      const commission = commissionOn(amount, item.rateBp);
      const paymentPeriod = periodOf(item.paymentAt);
      return {
        paymentId: item.paymentId,
        kind: item.kind,
        date: item.at.toISOString(),
        paymentPeriod,
        carried: paymentPeriod < period,
        portfolio: item.portfolio,
        accountExternalId: item.accountExternalId,
        reference: item.reference,
        currency: item.currency,
        recoveryType: item.recoveryType,
        daysPastDue: item.daysPastDue,
        ratePercent: item.rateBp / 100,
        amount,
        commission,
        net: amount - commission,
      };
    })
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === ItemKind.collected ? -1 : 1) || a.date.localeCompare(b.date) || a.paymentId.localeCompare(b.paymentId));
}

export interface StatementTotals {
  currency: string;
  /** Minor units collected (positive). */
  collected: number;
  /** Minor units returned (negative). */
  reversed: number;
  /** Commission earned net of the commission on returns. */
  commission: number;
  /** collected + reversed - commission. */
  net: number;
  /** A negative balance carried from the previous statement (0 or negative). */
  carriedIn: number;
  /** What is remitted to the client: net + carriedIn when positive, else 0. */
  netToRemit: number;
  /** What this statement carries into the next one (0 or negative). */
  carriedOut: number;
}

/** Totals per currency (sorted), netting the previous statement's negative balance. */
export function statementTotals(lines: readonly StatementLine[], carriedIn: Readonly<Record<string, number>>): StatementTotals[] {
  const currencies = [...new Set([...lines.map((line) => line.currency), ...Object.keys(carriedIn).filter((currency) => (carriedIn[currency] ?? 0) !== 0)])].sort();
  return currencies.map((currency) => {
    const own = lines.filter((line) => line.currency === currency);
    const sum = (pick: (line: StatementLine) => number) => own.reduce((total, line) => total + pick(line), 0);
    const collected = sum((line) => (line.kind === ItemKind.collected ? line.amount : 0));
    const reversed = sum((line) => (line.kind === ItemKind.reversal ? line.amount : 0));
    const commission = sum((line) => line.commission);
    const net = collected + reversed - commission;
    const carried = Math.min(0, carriedIn[currency] ?? 0);
    const balance = net + carried;
    return { currency, collected, reversed, commission, net, carriedIn: carried, netToRemit: Math.max(0, balance), carriedOut: Math.min(0, balance) };
  });
}

/** The negative balances a statement's totals carry into the next one, by currency. */
export const carriedOutOf = (totals: readonly StatementTotals[]): Record<string, number> =>
  Object.fromEntries(totals.filter((total) => total.carriedOut < 0).map((total) => [total.currency, total.carriedOut]));
