import { describe, expect, it } from 'vitest';
import type { TStrategyDefinition } from '../../domain/strategy.js';
import type { CaseEventOf, CaseEventType, PaymentReceived } from '../../workflows/case-messages.js';
import { changeContact } from '../../workflows/case/contacts.js';
import { applyOutcome } from '../../workflows/case/outcomes.js';
import { dayMs, LiveCase, recentEvents } from '../../workflows/case/state.js';
import { caseFixture } from '../../testing/case-fixtures.js';
import { consumerEarly, strategy } from '../support/strategies.js';

/**
 * The case's state on its own, without Temporal: payments, duplicates, reversals, holds, the
 * timeline's clock and the status shape, on a clock the test moves.
 */

const start = Date.parse('2026-01-05T15:00:00Z');

function liveCase({ definition = strategy(consumerEarly), walksTimeline = true, balance = 125_000 }: { definition?: TStrategyDefinition; walksTimeline?: boolean; balance?: number } = {}) {
  let now = start;
  const input = caseFixture(start, definition, { balance });
  const live = new LiveCase({ caseId: input.caseId, account: input.account, strategy: input.strategy, startedAt: start, walksTimeline, now: () => now });
  return { live, input, later: (ms: number) => (now += ms) };
}

function payment(reference: string, amount: number): PaymentReceived {
  return { reference, amount, currency: 'USD', receivedAt: '2026-01-06T10:00:00Z' };
}

function events<T extends CaseEventType>(live: LiveCase, type: T): CaseEventOf<T>[] {
  return live.state.recent.filter((event) => event.type === type) as CaseEventOf<T>[];
}

describe('case state: payments', () => {
  it('applies a partial payment, then closes as paid when the balance reaches zero', () => {
    const { live } = liveCase();
    live.receivePayment(payment('PAY-1', 25_000));
    expect(live.state).toMatchObject({ status: 'open', balance: 100_000 });
    live.receivePayment(payment('PAY-2', 110_000));
    expect(live.state).toMatchObject({ status: 'closed', closeReason: 'paid', balance: 0, closedAt: new Date(start).toISOString() });
    expect(events(live, 'payment_applied').map(({ data }) => [data.reference, data.balanceBefore, data.balanceAfter, data.overpaid])).toEqual([
      ['PAY-1', 125_000, 100_000, 0],
      ['PAY-2', 100_000, 0, 10_000],
    ]);
    expect(events(live, 'closed').map(({ data }) => data.reason)).toEqual(['paid']);
  });

  it('applies a payment once per reference', () => {
    const { live } = liveCase();
    live.receivePayment(payment('PAY-1', 25_000));
    live.receivePayment(payment('PAY-1', 25_000));
    expect(live.state.balance).toBe(100_000);
    expect(events(live, 'payment_duplicate').map(({ data }) => data.reference)).toEqual(['PAY-1']);
    expect(live.state.ledger).toHaveLength(1);
  });

  it('keeps a payment received after closing on record without owing anything', () => {
    const { live } = liveCase();
    live.receivePayment(payment('PAY-1', 125_000));
    live.receivePayment(payment('PAY-2', 5_000));
    expect(live.state.balance).toBe(0);
    expect(events(live, 'payment_applied').at(-1)?.data).toMatchObject({ reference: 'PAY-2', balanceBefore: 0, balanceAfter: 0, overpaid: 5_000 });
    expect(live.state.ledger?.at(-1)).toEqual({ reference: 'PAY-2', amount: 5_000, reversed: false, towardArrangement: false });
  });

  it('queues every new event for the projection, numbered in order', () => {
    const { live } = liveCase();
    live.receivePayment(payment('PAY-1', 25_000));
    live.receivePayment(payment('PAY-1', 25_000));
    expect(live.unprojected.map(({ seq, type }) => [seq, type])).toEqual([
      [1, 'payment_applied'],
      [2, 'payment_duplicate'],
    ]);
  });

  it('keeps only the most recent events for the status query', () => {
    const { live } = liveCase({ balance: 10_000_000 });
    for (let index = 0; index < recentEvents + 5; index++) live.receivePayment(payment(`PAY-${index}`, 1));
    expect(live.state.recent).toHaveLength(recentEvents);
    expect(live.state.recent[0]?.seq).toBe(6);
    expect(live.unprojected).toHaveLength(recentEvents + 5);
  });
});

describe('case state: returned payments', () => {
  it('reopens a paid case, owes the amount again and shifts the timeline by the time it was closed', () => {
    const { live, later } = liveCase({ walksTimeline: false });
    live.receivePayment(payment('PAY-1', 125_000));
    later(4 * dayMs);
    live.reversePayment({ reference: 'PAY-1', reason: 'NSF' });
    expect(live.state).toMatchObject({ status: 'open', closeReason: null, balance: 125_000, closedAt: null, suspendedAt: null, shiftMs: 4 * dayMs });
    expect(events(live, 'reopened').map(({ data }) => data)).toEqual([{ reference: 'PAY-1', reason: 'NSF' }]);
    expect(events(live, 'payment_reversed').map(({ data }) => data)).toEqual([{ reference: 'PAY-1', amount: 125_000, reason: 'NSF', balanceAfter: 125_000 }]);
  });

  it("restarts the timeline when the strategy says so for a returned payment", () => {
    const { live, later } = liveCase({ definition: strategy({ ...consumerEarly, on: { paymentReturned: 'restart' } }) });
    live.setCursor({ stepIndex: 3, results: { reminder: 'sent' }, pendingFallback: null });
    live.receivePayment(payment('PAY-1', 25_000));
    later(dayMs);
    live.reversePayment({ reference: 'PAY-1', reason: 'chargeback' });
    expect(live.state).toMatchObject({ status: 'open', balance: 125_000, stepIndex: 0, restarts: 1, shiftMs: dayMs, timeline: { stepIndex: 0, results: {}, pendingFallback: null } });
  });

  it('ignores a reference it never applied, and a second return of the same payment', () => {
    const { live } = liveCase();
    live.receivePayment(payment('PAY-1', 25_000));
    live.reversePayment({ reference: 'PAY-9', reason: 'NSF' });
    live.reversePayment({ reference: 'PAY-1', reason: 'NSF' });
    live.reversePayment({ reference: 'PAY-1', reason: 'NSF' });
    expect(live.state.balance).toBe(125_000);
    expect(events(live, 'payment_reversed')).toHaveLength(1);
  });

  it('reopens a settled case owing what was waived plus the returned payment', () => {
    const { live } = liveCase({ definition: strategy({ ...consumerEarly, negotiation: { maxSettlementDiscountPercent: 30, officerAuthority: { maxSettlementDiscountPercent: 30 } } }) });
    applyOutcome(live, { outcome: { kind: 'settlement', amount: 100_000, installments: 1, frequency: 'monthly', firstDueDate: '2026-01-20' }, by: 'officer:test', role: 'officer' });
    live.receivePayment(payment('SET-1', 100_000));
    expect(live.state).toMatchObject({ status: 'closed', closeReason: 'settled', balance: 0, waived: 25_000 });
    live.reversePayment({ reference: 'SET-1', reason: 'NSF' });
    expect(live.state).toMatchObject({ status: 'open', balance: 125_000, waived: 0 });
    expect(live.state.arrangement?.paidTotal).toBe(0);
  });
});

describe('case state: holds, pauses and the timeline clock', () => {
  it('a hold stops the clock; ending it pushes the timeline back by its length', () => {
    const { live, later } = liveCase();
    live.startHold('dispute', 'the debtor disputes the debt');
    expect(live.state.suspendedAt).toBe(new Date(start).toISOString());
    later(6 * dayMs);
    live.endHold('dispute rejected');
    expect(live.state).toMatchObject({ hold: null, suspendedAt: null, shiftMs: 6 * dayMs });
    expect(live.shiftedStart()).toBe(start + 6 * dayMs);
    expect(events(live, 'hold_started').map(({ data }) => data)).toEqual([{ kind: 'dispute', until: null }]);
    expect(events(live, 'hold_ended').map(({ data }) => data)).toEqual([{ kind: 'dispute' }]);
  });

  it('a pause shifts the timeline by its length when the patch says so', () => {
    const { live, later } = liveCase();
    live.pause({ reason: 'a week', by: 'officer:test' }, () => true);
    later(3 * dayMs);
    live.resume({ reason: 'over', by: 'officer:test' });
    expect(live.state).toMatchObject({ status: 'open', shiftMs: 3 * dayMs, suspendedAt: null });
  });

  it('a pause from before the patch keeps the step dates', () => {
    const { live, later } = liveCase();
    live.pause({ reason: 'a week', by: 'officer:test' }, () => false);
    later(3 * dayMs);
    live.resume({ reason: 'over', by: 'officer:test' });
    expect(live.state.shiftMs).toBeUndefined();
  });

  it('does not pause a closed case, nor ask the patch', () => {
    const { live } = liveCase();
    live.receivePayment(payment('PAY-1', 125_000));
    let asked = false;
    live.pause({ reason: 'late', by: 'officer:test' }, () => (asked = true));
    expect(asked).toBe(false);
    expect(live.state.status).toBe('closed');
    expect(events(live, 'paused')).toHaveLength(0);
  });

  it('two suspensions count from the first one', () => {
    const { live, later } = liveCase();
    live.startHold('legal', 'legal review');
    later(dayMs);
    live.suspendTimeline();
    later(dayMs);
    live.endHold('reviewed');
    expect(live.state.shiftMs).toBe(2 * dayMs);
  });
});

describe('case state: the status shape', () => {
  it('answers the case as the API shows it', () => {
    const { live, input } = liveCase({ definition: strategy({ ...consumerEarly, negotiation: { maxSettlementDiscountPercent: 30, officerAuthority: { maxSettlementDiscountPercent: 30 } } }) });
    applyOutcome(live, { outcome: { kind: 'settlement', amount: 100_000, installments: 2, frequency: 'monthly', firstDueDate: '2026-01-20' }, by: 'officer:test', role: 'officer' });
    live.receivePayment(payment('SET-1', 30_000));
    const status = live.status();
    expect(status).toMatchObject({
      caseId: input.caseId,
      status: 'open',
      closeReason: null,
      balance: 95_000,
      currency: 'USD',
      strategy: { key: 'consumer-early', version: 1 },
      channels: { email: { valid: true, optedOut: false, consent: false }, sms: { valid: true, optedOut: false, consent: true } },
      hold: null,
      ceased: false,
      placement: null,
      waived: 0,
    });
    expect(status.arrangement).toMatchObject({ kind: 'settlement', status: 'active', paidTotal: 30_000 });
    expect(status.arrangement?.installments).toEqual([
      { seq: 1, dueDate: '2026-01-20', amount: 50_000, paid: 30_000 },
      { seq: 2, dueDate: '2026-02-20', amount: 50_000, paid: 0 },
    ]);
    expect(status.history.map(({ type }) => type)).toEqual(['outcome_recorded', 'arrangement_made', 'payment_applied']);
    expect(status.channels.email).not.toHaveProperty('address');
  });

  it('copies the account contacts: the workflow input stays as it was given', () => {
    const { live, input } = liveCase();
    live.state.contacts.email!.optedOut = true;
    expect(input.account.contacts.email?.optedOut).toBe(false);
  });
});

describe('case state: the person behind the account', () => {
  function personCase() {
    const input = caseFixture(start, strategy(consumerEarly));
    const account = { ...input.account, personId: 'p1' };
    const live = new LiveCase({ caseId: input.caseId, account, strategy: input.strategy, startedAt: start, walksTimeline: true, personGrants: true, now: () => start });
    const facts = { contacts: input.account.contacts };
    return { live, facts };
  }

  it('takes a newer announcement of its person, ignores an older one, and tells the person what it learns itself', () => {
    const { live, facts } = personCase();
    const designated = { ...facts, inconvenientTimes: [{ from: '06:00', to: '10:00', at: start, source: 'officer' }] };
    expect(live.receivePerson({ personId: 'p1', name: 'Ana Ruiz', version: 2, facts: designated })).toBe(true);
    expect(live.receivePerson({ personId: 'p1', name: 'Ana Ruiz', version: 1, facts })).toBe(false);
    expect(live.caseFacts().inconvenientTimes).toHaveLength(1);
    live.comply({ type: 'medium_refused', medium: 'phone', at: start, source: 'officer' });
    expect(live.sideEffects).toEqual([{ kind: 'person', change: { changeId: `${live.caseId}:1`, change: { kind: 'compliance', event: expect.objectContaining({ type: 'medium_refused' }) }, from: { caseId: live.caseId, seq: 1 } } }]);
    // Time-barred is the debt's: the person does not hear of it.
    live.comply({ type: 'flag_set', flag: 'timeBarred', at: start, source: 'creditor' });
    expect(live.sideEffects).toHaveLength(1);
  });

  it('a returned letter that carried the validation notice starts no validation period; another returned letter changes nothing', () => {
    const withNotice = { ...strategy(consumerEarly), contact: { validationNotice: { templates: ['demand'] } } } as TStrategyDefinition;
    const input = caseFixture(start, withNotice);
    const live = new LiveCase({ caseId: input.caseId, account: { ...input.account, personId: 'p1' }, strategy: input.strategy, startedAt: start, walksTimeline: true, personGrants: true, now: () => start + dayMs });
    live.state.lastSent = { letter: 'letter' };
    live.comply({ type: 'message_sent', channel: 'letter', at: start, validationNotice: true });
    expect(live.caseFacts().history?.validationNoticeSentAt).toBe(start);
    changeContact(live, { channel: 'letter', valid: false, source: 'letter_returned' });
    expect(live.caseFacts().history?.validationNoticeSentAt).toBeNull();
    expect(live.state.recent.map((event) => event.detail)).toContain(
      'validation notice returned undelivered (letter_returned); the validation period runs from a notice that is delivered',
    );

    // Without the notice template, a returned letter is only a bad address.
    const plain = caseFixture(start, strategy(consumerEarly));
    const other = new LiveCase({ caseId: plain.caseId, account: { ...plain.account, personId: 'p1' }, strategy: plain.strategy, startedAt: start, walksTimeline: true, personGrants: true, now: () => start });
    other.state.lastSent = { letter: 'letter' };
    other.comply({ type: 'message_sent', channel: 'letter', at: start, validationNotice: true });
    changeContact(other, { channel: 'letter', valid: false, source: 'letter_returned' });
    expect(other.caseFacts().history?.validationNoticeSentAt).toBe(start);
  });

  it('keeps what it told the person on top of announcements until one includes it', () => {
    const { live, facts } = personCase();
    live.receivePerson({ personId: 'p1', name: 'Ana Ruiz', version: 1, facts });
    live.tellPerson({ type: 'opted_out', channel: 'sms', at: start, source: 'sms_reply' });
    // An announcement that crossed the STOP on its way: the STOP still stands.
    live.receivePerson({ personId: 'p1', name: 'Ana Ruiz', version: 2, facts });
    expect(live.caseFacts().contacts.sms?.optedOut).toBe(true);
    expect(live.state.contacts.sms?.optedOut).toBe(true);
    // Once the person says it has it, the person's facts stand alone (here: opted back in since).
    live.receivePerson({ personId: 'p1', name: 'Ana Ruiz', version: 3, facts, acks: { [live.caseId]: 1 } });
    expect(live.caseFacts().contacts.sms?.optedOut).toBe(false);
    expect(live.state.person?.pending).toEqual([]);
  });
});
