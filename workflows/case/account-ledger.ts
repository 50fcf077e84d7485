import { inWorkflowContext } from '@temporalio/workflow';
import { patchedOrCurrent } from '../patches.js';
import { openingEntry, type LedgerTerms } from '../../domain/ledger/account-ledger.js';
import { interestStop, interestStopConditions, type InterestStopCondition } from '../../domain/ledger/interest-stops.js';
import { total, type Components } from '../../domain/ledger/components.js';
import { accrue, daysBetween } from '../../domain/ledger/interest.js';
import { effect, itemize, ledgerParts, paymentEntry, type Itemization, type LedgerEntry } from '../../domain/ledger/ledger.js';
import type { CaseState, LedgerState, ProjectedLedgerEntry } from '../case-messages.js';

/**
 * The case's account ledger (cases of the `ledger-entries` patch): every change to what is owed
 * is an entry (domain/ledger/ledger.ts) and the balance is their sum. Interest accrues without an
 * event per day: it is posted, through the day, when something happens (a payment, a reversal, an
 * adjustment, a fee, a waiver) and at each month end, on the timer the case already sleeps on
 * (case/run.ts wakes it). Interest stops while a hold or a flag that a rule names lasts
 * (domain/ledger/interest-stops.ts; cases of the `interest-stops` patch). Plain code, like
 * case/state.ts, but for that patch.
 */

/** `YYYY-MM-DD` of an epoch ms, UTC. */
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Cases from before 'interest-stops' accrue through holds, as they did; outside a workflow (unit tests of the state) the rule applies. */
const stopsInterest = () => !inWorkflowContext() || patchedOrCurrent('interest-stops');

export class AccountLedger {
  constructor(
    private readonly state: CaseState & { accountLedger: LedgerState },
    readonly terms: LedgerTerms | undefined,
    private readonly now: () => number,
  ) {}

  /** Opens the ledger of a new case with its itemization; interest accrues from the case's start. */
  static open(state: CaseState, terms: LedgerTerms | undefined, balance: number, startedAt: number, now: () => number): AccountLedger {
    const startedOn = dayOf(startedAt);
    state.accountLedger = { entries: [openingEntry({ terms, balance, startedOn })], accrual: { through: startedOn, carried: 0 }, projected: 0 };
    return AccountLedger.of(state, terms, now) as AccountLedger;
  }

  /** The ledger of a case that has one (carried over continue-as-new), or null for cases that keep a one-number balance. */
  static of(state: CaseState, terms: LedgerTerms | undefined, now: () => number): AccountLedger | null {
    return state.accountLedger ? new AccountLedger(state as CaseState & { accountLedger: LedgerState }, terms, now) : null;
  }

  get entries(): readonly LedgerEntry[] {
    return this.state.accountLedger.entries;
  }

  parts(): Components {
    return ledgerParts(this.entries);
  }

  balance(): number {
    return total(this.parts());
  }

  itemization(): Itemization {
    return itemize(this.entries);
  }

  private today(): string {
    return dayOf(this.now());
  }

  private nextId(kind: string): string {
    return `${kind}-${this.entries.length + 1}`;
  }

  /** Appends an entry; the case's balance is the new sum. */
  private post(entry: LedgerEntry): number {
    this.state.accountLedger.entries.push(entry);
    this.state.balance = this.balance();
    return this.state.balance;
  }

  /** The interest accrued since the last posting through `through` (today), not posted (a query may show it; only an event posts it); none while stopped. */
  accruedSincePosting(through = this.today()): { days: number; posted: number; carried: number } {
    const interest = this.terms?.interest;
    const { accrual } = this.state.accountLedger;
    const days = accrual.stopped ? 0 : daysBetween(accrual.through, through);
    if (!interest || days <= 0) return { days: 0, posted: 0, carried: accrual.carried };
    const parts = this.parts();
    return { days, ...accrue(interest.base === 'principal' ? parts.principal : total(parts), interest, days, accrual.carried) };
  }

  /** Posts the interest accrued since the last posting, through today (nothing when the terms bear none, or while stopped). */
  accrueInterest(): void {
    this.followInterestStops();
    this.postInterestThrough(this.today());
  }

  private postInterestThrough(through: string): void {
    const { accrual } = this.state.accountLedger;
    const { days, posted, carried } = this.accruedSincePosting(through);
    if (days <= 0) return;
    this.state.accountLedger.accrual = { through, carried };
    if (posted > 0) this.post({ id: this.nextId('interest'), kind: 'interest', on: through, from: accrual.through, amount: posted, postedBy: 'case', reason: `${days} day(s) of contractual interest` });
  }

  /**
   * Starts or ends an interest stop as the case's holds and flags change: a stop posts the
   * interest up to the day it began and none after; its end lets interest accrue again from that
   * day, without the days between.
   */
  private followInterestStops(): void {
    if (!this.terms?.interest) return;
    const ledger = this.state.accountLedger;
    const { hold, compliance } = this.state;
    const flags = compliance?.flags ?? {};
    const stop = interestStop({
      hold: hold && (interestStopConditions as readonly string[]).includes(hold.kind) ? { kind: hold.kind as InterestStopCondition, since: Date.parse(hold.since) } : null,
      flags: { ...(flags.bankruptcy ? { bankruptcy: flags.bankruptcy } : {}), ...(flags.deceased ? { deceased: flags.deceased } : {}) },
      state: compliance?.state,
    });
    const today = this.today();
    if (stop && !ledger.accrual.stopped) {
      if (!stopsInterest()) return;
      const since = dayOf(Math.min(stop.since, this.now()));
      this.postInterestThrough(since);
      ledger.accrual = { ...ledger.accrual, stopped: { since, why: stop.why } };
    } else if (!stop && ledger.accrual.stopped) {
      const { through, carried } = ledger.accrual;
      ledger.accrual = { through: through > today ? through : today, carried };
    }
  }

  /** When the case should wake to post a month's interest: the first instant of the month after the last posting; null when nothing accrues. */
  nextAccrualAt(): number | null {
    if (!this.terms?.interest || this.state.status === 'closed' || this.balance() <= 0 || this.state.accountLedger.accrual.stopped) return null;
    const through = new Date(`${this.state.accountLedger.accrual.through}T00:00:00Z`);
    return Date.UTC(through.getUTCFullYear(), through.getUTCMonth() + 1, 1);
  }

  /** A woken case posts the interest of the months that ended (case/run.ts). */
  accrueAtMonthEnd(): void {
    // A hold or a flag that came or went while the case waited starts or ends a stop on the day it did.
    this.followInterestStops();
    const at = this.nextAccrualAt();
    if (at !== null && this.now() >= at) this.accrueInterest();
  }

  /** A payment (or a settlement's forgiveness, `credit`): split by the waterfall over what is owed; returns the new balance. */
  payment(kind: 'payment' | 'credit', id: string, amount: number, postedBy: string, reason?: string): number {
    this.accrueInterest();
    const waterfall = this.terms?.waterfall ?? 'fees_interest_principal';
    return this.post(paymentEntry(this.entries, { id, kind, amount, on: this.today(), postedBy, ...(reason ? { reason } : {}) }, waterfall));
  }

  /**
   * A returned payment: its reversal gives back exactly what it took; a partial return (part of
   * a chargeback) then applies the part kept as a payment of its own. Returns the new balance.
   */
  reversal(paymentId: string, returned: number, reason: string): number {
    this.accrueInterest();
    const payment = this.entries.find((entry) => entry.id === paymentId);
    if (payment?.kind !== 'payment' && payment?.kind !== 'credit') return this.balance();
    if (this.entries.some((entry) => entry.kind === 'reversal' && entry.of === paymentId)) return this.balance();
    this.post({ id: this.nextId('reversal'), kind: 'reversal', of: paymentId, on: this.today(), postedBy: 'case', reason });
    const kept = payment.amount - returned;
    return kept > 0 ? this.payment('payment', `${paymentId}~kept`, kept, 'case', `the part of ${paymentId} not returned`) : this.balance();
  }

  /** Undoes the last forgiveness a settlement posted (its payment came back). */
  reverseSettlement(reason: string): number {
    const credit = [...this.entries].reverse().find((entry) => entry.kind === 'credit' && entry.id.startsWith('settlement-'));
    return credit?.kind === 'credit' ? this.reversal(credit.id, credit.amount, reason) : this.balance();
  }

  /**
   * The creditor corrected the balance: an adjustment of the principal by the difference, with
   * its reason. A correction below the interest and fees owed takes the principal to zero and
   * waives the rest (interest first). Returns the new balance.
   */
  adjustTo(balance: number, reason: string, postedBy: string): number {
    this.accrueInterest();
    const parts = this.parts();
    let delta = balance - total(parts);
    const on = this.today();
    const principalChange = Math.max(delta, -parts.principal);
    if (principalChange !== 0) this.post({ id: this.nextId('adjustment'), kind: 'adjustment', amount: principalChange, on, postedBy, reason });
    delta -= principalChange;
    for (const part of ['interest', 'fees'] as const) {
      const take = Math.min(-delta, parts[part]);
      if (take <= 0) continue;
      this.post({ id: this.nextId('waiver'), kind: 'waiver', part, amount: take, on, postedBy, reason });
      delta += take;
    }
    return this.balance();
  }

  /** A fee or a waiver as an officer or manager posts it (validated by case/ledger-postings.ts first); returns the new balance. */
  postByPerson(entry: { kind: 'fee'; feeType: string } | { kind: 'waiver'; part: 'interest' | 'fees' }, amount: number, by: string, reason: string, id: string): number {
    this.accrueInterest();
    const on = this.today();
    return this.post(entry.kind === 'fee' ? { id, kind: 'fee', feeType: entry.feeType, amount, on, postedBy: by, reason } : { id, kind: 'waiver', part: entry.part, amount, on, postedBy: by, reason });
  }

  /** Entries the read model does not hold yet, with their position and what each did to the parts, and a mark to call once they are written. */
  unprojected(): { rows: ProjectedLedgerEntry[]; written: () => void } {
    const ledger = this.state.accountLedger;
    const upTo = ledger.entries.length;
    const rows = ledger.entries.slice(ledger.projected).map((entry, index) => ({ position: ledger.projected + index, entry, effect: effect(entry, ledger.entries) }));
    return { rows, written: () => void (ledger.projected = Math.max(ledger.projected, upTo)) };
  }
}
