import { describe, expect, it, vi } from 'vitest';
import { previewStrategy } from '../../domain/preview.js';
import type { SimulatedCase, SimulationChunkInput, TResponseModel, TResponseRates } from '../../domain/simulation/contract.js';
import { simulateChunk, simulateTraces, type Responder } from '../../domain/simulation/simulate.js';
import { summarize } from '../../domain/simulation/summarize.js';
import { TimelineWalk } from '../../domain/timeline-walk.js';
import { addTotals } from '../../domain/simulation/totals.js';
import { plainTemplates, strategy } from '../support/strategies.js';

/**
 * The simulator against what it promises: the preview's walk when nobody answers, the responses
 * it draws applied as the case would apply them, the same draws for both arms and any chunking,
 * contact rules per person, and totals that add up and summarize into intervals.
 */

const startedAt = Date.UTC(2027, 0, 4, 17); // a Monday, 11:00 in Chicago
const dayMs = 86_400_000;

const definition = strategy({
  key: 'sim-basic',
  name: 'Simulated',
  templates: plainTemplates,
  steps: [
    { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' },
    { id: 'nudge', at: 'P3D', action: 'sms', template: 'nudge', fallback: 'letter' },
    { id: 'letter', at: 'P10D', action: 'letter', template: 'demand' },
    { id: 'call', at: 'P14D', action: 'call' },
    { id: 'nudge-2', at: 'P30D', action: 'sms', template: 'nudge' },
    { id: 'agency', at: 'P60D', action: 'agency_referral' },
  ],
  contact: { allowedHours: { start: '08:00', end: '21:00' } },
});

const noRates: TResponseRates = { pay_full: 0, pay_part: 0, promise_kept: 0, promise_broken: 0, reply: 0, dispute: 0, opt_out: 0, bounce: 0 };

function model(base: Partial<TResponseRates> = {}, extra: Partial<TResponseModel> = {}): TResponseModel {
  return { name: 'test', version: 1, responseWindowDays: 7, partShare: 0.5, priorStrength: 0, base: { ...noRates, ...base }, backgroundDailyPayFull: 0, strata: [], ...extra };
}

function simulatedCase(index: number, overrides: Partial<SimulatedCase> = {}): SimulatedCase {
  return {
    caseId: `case-${index}`,
    personKey: `person-${index}`,
    balance: 50_000 + index * 1_000,
    daysPastDue: 30,
    timeZone: 'America/Chicago',
    contacts: {
      email: { address: `p${index}@example.com`, valid: true, optedOut: false, consent: false },
      sms: { address: '+15555550100', valid: true, optedOut: false, consent: true },
      letter: { address: '1 Main St | Chicago, IL 60601 | US', valid: true, optedOut: false, consent: false },
    },
    ...overrides,
  };
}

const cases = Array.from({ length: 40 }, (_, index) => simulatedCase(index));

function chunk(overrides: Partial<SimulationChunkInput> = {}): SimulationChunkInput {
  return { cases, arms: [{ label: 'a', definition }], model: model(), runs: 3, seed: 7, startedAt, horizonDays: 90, costs: { email: 1, sms: 5, letter: 80, call: 300 }, ...overrides };
}

describe('simulateChunk', () => {
  it('walks the preview\'s timeline when nobody answers: the same steps at the same instants, and their contacts and costs', () => {
    const { traces, totals } = simulateTraces({ cases: [cases[0] as SimulatedCase], definition, model: model(), startedAt, horizonDays: 90 });
    const preview = previewStrategy({ definition, account: { ...(cases[0] as SimulatedCase) }, startedAt, horizonDays: 90 });
    expect(traces.get('case-0')).toEqual(preview.entries);
    expect(totals.endings).toEqual({ placed: 1 });
    expect(totals.contacts).toEqual({ email: 1, sms: 2, letter: 1, call: 1 });
    expect(totals.recovered).toBe(0);
  });

  it('pays in full after the first contact when the model says every contact is answered so', () => {
    const [totals] = simulateChunk(chunk({ model: model({ pay_full: 1 }), runs: 1 }))[0] ?? [];
    expect(totals?.endings).toEqual({ paid: cases.length });
    expect(totals?.recovered).toBe(totals?.balance);
    // The SMS of day 3 goes out to those who answer later than that.
    expect(totals?.contacts.email).toBe(cases.length);
    expect(totals?.contacts.sms).toBeLessThan(cases.length);
    // Answers arrive 1 to 7 days after the contact: nothing on day 0, everything by day 7.
    expect(totals?.recoveredByDay[0]).toBe(0);
    expect(totals?.recoveredByDay[7]).toBe(totals?.balance);
  });

  it('applies a part payment, a broken promise (the timeline pushed back by the suspension) and an opt-out as the case would', () => {
    const scripted = (answers: Record<number, ReturnType<Responder['answer']>>): Responder => ({ backgroundPayDay: () => null, answer: (contact) => answers[contact.index] ?? null });
    const one = simulatedCase(1, { balance: 10_000 });
    const { traces, totals } = simulateTraces({
      cases: [one],
      definition,
      model: model({}, { partShare: 0.25 }),
      responders: new Map([['case-1', scripted({ 1: { kind: 'pay_part', afterDays: 1 }, 2: { kind: 'opt_out', afterDays: 2 }, 3: { kind: 'promise_broken', afterDays: 1 } })]]),
      startedAt,
      horizonDays: 120,
    });
    const trace = traces.get('case-1') ?? [];
    const responses = trace.filter((entry) => 'response' in entry);
    expect(responses).toEqual([
      { at: new Date(startedAt + dayMs).toISOString(), response: 'pay_part', amount: 2_500 },
      { at: new Date(startedAt + 5 * dayMs).toISOString(), response: 'opt_out' },
      { at: new Date(startedAt + 11 * dayMs).toISOString(), response: 'promise_broken' },
    ]);
    const steps = trace.flatMap((entry) => ('stepId' in entry && entry.outcome !== 'held' ? [`${entry.stepId} ${entry.outcome}`] : []));
    // nudge-2 is an SMS: the debtor opted out of SMS, so it is skipped.
    expect(steps).toEqual(['reminder run', 'nudge run', 'letter run', 'call run', 'nudge-2 skipped', 'agency run']);
    // The promise suspended the timeline 7 days + 3 days' grace: the call (day 14) moves to day 24.
    const call = trace.find((entry) => 'stepId' in entry && entry.stepId === 'call');
    expect(call && Date.parse(call.at)).toBeGreaterThanOrEqual(startedAt + 24 * dayMs);
    expect(totals.recovered).toBe(2_500);
    expect(totals.responses).toEqual({ pay_part: 1, opt_out: 1, promise_broken: 1 });
  });

  it('marks a bounced address invalid and runs the step\'s fallback', () => {
    const bounceSms: Responder = { backgroundPayDay: () => null, answer: (contact) => (contact.action === 'sms' ? { kind: 'bounce' } : null) };
    const { traces } = simulateTraces({ cases: [cases[2] as SimulatedCase], definition, model: model(), responders: new Map([['case-2', bounceSms]]), startedAt, horizonDays: 90 });
    const steps = (traces.get('case-2') ?? []).flatMap((entry) => ('stepId' in entry && entry.outcome !== 'held' ? [`${entry.stepId} ${entry.outcome} ${entry.result ?? ''}`.trim()] : []));
    expect(steps.slice(0, 3)).toEqual(['reminder run sent', 'nudge run bounced', 'letter run sent']);
    expect(steps).toContain('nudge-2 skipped');
  });

  it('shares opt-outs across the accounts of one person', () => {
    const optOutOfSms: Responder = { backgroundPayDay: () => null, answer: (contact) => (contact.action === 'sms' ? { kind: 'opt_out', afterDays: 1 } : null) };
    const silent: Responder = { backgroundPayDay: () => null, answer: () => null };
    const first = simulatedCase(10, { personKey: 'ana' });
    const later = simulatedCase(11, { personKey: 'ana' });
    const alone = simulatedCase(11, { caseId: 'case-11-alone' });
    const { traces } = simulateTraces({
      cases: [first, later, alone],
      definition,
      model: model(),
      responders: new Map([['case-10', optOutOfSms], ['case-11', silent], ['case-11-alone', silent]]),
      startedAt,
      horizonDays: 90,
    });
    const smsOf = (caseId: string) => (traces.get(caseId) ?? []).filter((entry) => 'stepId' in entry && entry.stepId === 'nudge-2').map((entry) => ('outcome' in entry ? entry.outcome : ''));
    expect(smsOf('case-11')).toEqual(['skipped']);
    expect(smsOf('case-11-alone')).toEqual(['run']);
  });

  it('draws the same for a case whatever the chunk, and the same for both arms of one strategy', () => {
    const busy = model({ pay_full: 0.05, pay_part: 0.05, promise_kept: 0.03, promise_broken: 0.03, reply: 0.05, dispute: 0.01, opt_out: 0.03, bounce: 0.03 }, { backgroundDailyPayFull: 0.002 });
    const whole = simulateChunk(chunk({ model: busy }));
    const halves = addTotals(simulateChunk(chunk({ model: busy, cases: cases.slice(0, 17) })), simulateChunk(chunk({ model: busy, cases: cases.slice(17) })));
    expect(halves).toEqual(whole);
    expect(whole[0]?.some((run) => run.recovered > 0)).toBe(true);

    const twins = simulateChunk(chunk({ model: busy, arms: [{ label: 'a', definition }, { label: 'b', definition }] }));
    expect(twins[1]).toEqual(twins[0]);
    expect(summarize(twins).difference).toEqual({ mean: 0, low: 0, high: 0 });
    // Another seed draws other debtors.
    expect(simulateChunk(chunk({ model: busy, seed: 8 }))).not.toEqual(whole);
  });

  it('gives the same totals from the tree of remembered walks as from walking every case directly', () => {
    const busy = model({ pay_full: 0.04, pay_part: 0.12, promise_kept: 0.03, promise_broken: 0.08, reply: 0.05, dispute: 0.02, opt_out: 0.08, bounce: 0.06 }, { backgroundDailyPayFull: 0.002, partShare: 0.6 });
    const conditional = strategy({
      key: 'sim-conditions',
      name: 'Simulated, with balance conditions and a narrow window',
      templates: plainTemplates,
      steps: [
        { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' },
        { id: 'nudge', at: 'P2D', action: 'sms', template: 'nudge', fallback: 'letter' },
        { id: 'big-call', at: 'P5D', action: 'call', when: { minBalance: 40_000 } },
        { id: 'letter', at: 'P9D', action: 'letter', template: 'demand' },
        { id: 'nudge-2', at: 'P12DT3H', action: 'sms', template: 'nudge' },
        { id: 'small-email', at: 'P20D', action: 'email', template: 'reminder', when: { maxBalance: 30_000 } },
        { id: 'reminder-2', at: 'P33DT7H', action: 'email', template: 'reminder' },
        { id: 'agency', at: 'P70D', action: 'agency_referral' },
      ],
      contact: { allowedHours: { start: '09:00', end: '12:00' } },
    });
    const restart = { ...conditional, on: { ...conditional.on, brokenPromise: 'restart' as const } };
    const population = Array.from({ length: 120 }, (_, index) =>
      simulatedCase(index, { balance: 20_000 + ((index * 7_919) % 60_000), timeZone: ['America/Chicago', 'America/New_York', 'Pacific/Honolulu'][index % 3] as string }),
    );
    const input = chunk({ cases: population, model: busy, runs: 4, horizonDays: 120, arms: [{ label: 'resume', definition: conditional }, { label: 'restart', definition: restart }, { label: 'basic', definition }] });
    const direct = simulateChunk(input, { walk: 'direct' });
    expect(simulateChunk(input)).toEqual(direct);
    // The population meets what the tree must get right: holds, bounces, opt-outs, broken promises, part payments.
    const all = direct.flat();
    for (const kind of ['bounce', 'opt_out', 'promise_broken', 'pay_part']) expect(all.some((run) => (run.responses[kind] ?? 0) > 0), kind).toBe(true);
    expect(all.some((run) => Object.keys(run.holds).length > 0)).toBe(true);
  });

  it('gives the same totals from remembered joint walks for a person with several accounts as walking them together directly', () => {
    const busy = model({ pay_full: 0.05, pay_part: 0.12, promise_kept: 0.04, promise_broken: 0.08, reply: 0.05, dispute: 0.02, opt_out: 0.06, bounce: 0.05 }, { backgroundDailyPayFull: 0.003, partShare: 0.6 });
    const conditional = strategy({
      key: 'sim-joint',
      name: 'Simulated, with a balance condition, a narrow window and a cap on texts',
      templates: plainTemplates,
      steps: [
        { id: 'reminder', at: 'P0D', action: 'email', template: 'reminder' },
        { id: 'nudge', at: 'P2D', action: 'sms', template: 'nudge', fallback: 'letter' },
        { id: 'big-call', at: 'P5D', action: 'call', when: { minBalance: 40_000 } },
        { id: 'nudge-2', at: 'P6D', action: 'sms', template: 'nudge' },
        { id: 'letter', at: 'P9D', action: 'letter', template: 'demand' },
        { id: 'nudge-3', at: 'P12DT3H', action: 'sms', template: 'nudge' },
        { id: 'reminder-2', at: 'P33DT7H', action: 'email', template: 'reminder' },
        { id: 'agency', at: 'P70D', action: 'agency_referral' },
      ],
      contact: { allowedHours: { start: '09:00', end: '12:00' }, frequencyCaps: { sms: { max: 2, days: 7 } } },
    });
    const restart = { ...conditional, on: { ...conditional.on, brokenPromise: 'restart' as const } };
    // 150 cases: persons of two and of three accounts (one zone each), and a few of one.
    const sizes = [2, 3, 2, 1];
    const population: SimulatedCase[] = [];
    for (let person = 0; population.length < 150; person++) {
      const timeZone = ['America/Chicago', 'America/New_York', 'Pacific/Honolulu'][person % 3] as string;
      for (let account = 0; account < (sizes[person % sizes.length] as number); account++) {
        const index = population.length;
        population.push(simulatedCase(index, { personKey: `person-${person}`, timeZone, balance: 20_000 + ((index * 7_919) % 60_000) }));
      }
    }
    const input = chunk({ cases: population, model: busy, runs: 4, horizonDays: 120, arms: [{ label: 'resume', definition: conditional }, { label: 'restart', definition: restart }, { label: 'basic', definition }] });
    const direct = simulateChunk(input, { walk: 'direct' });
    expect(simulateChunk(input)).toEqual(direct);
    const all = direct.flat();
    for (const kind of ['bounce', 'opt_out', 'promise_broken', 'promise_kept', 'pay_part', 'pay_full', 'background']) expect(all.some((run) => (run.responses[kind] ?? 0) > 0), kind).toBe(true);
    expect(all.some((run) => Object.keys(run.holds).length > 0)).toBe(true);
  });

  it('reads the persons with two accounts from remembered joint walks, in well under half the moves of walking them', () => {
    // Answers as a portfolio gives them (one contact in eight), every person with two accounts.
    const usual = model({ pay_full: 0.02, pay_part: 0.02, promise_kept: 0.015, promise_broken: 0.015, reply: 0.03, dispute: 0.005, opt_out: 0.01, bounce: 0.01 }, { backgroundDailyPayFull: 0.0008 });
    const pairs = Array.from({ length: 80 }, (_, index) => simulatedCase(index, { personKey: `pair-${Math.floor(index / 2)}` }));
    const input = chunk({ cases: pairs, model: usual, runs: 10, horizonDays: 90 });
    const moves = vi.spyOn(TimelineWalk.prototype, 'move');
    const direct = simulateChunk(input, { walk: 'direct' });
    const directMoves = moves.mock.calls.length;
    moves.mockClear();
    expect(simulateChunk(input)).toEqual(direct);
    expect(moves.mock.calls.length).toBeLessThan(directMoves * 0.4);
    moves.mockRestore();
  });

  it('holds a step by the contact rules and counts the hold by its rule', () => {
    const narrow = { ...definition, contact: { ...definition.contact, allowedHours: { start: '09:00', end: '10:00' } } };
    const [[totals]] = simulateChunk(chunk({ cases: [cases[0] as SimulatedCase], arms: [{ label: 'narrow', definition: narrow }], runs: 1 })) as [[NonNullable<ReturnType<typeof simulateChunk>[0][0]>]];
    expect(totals.holds).toEqual({ window: expect.any(Number) });
    expect(totals.holds.window).toBeGreaterThan(0);
  });
});

describe('summarize', () => {
  it('gives each figure its mean and 2.5th–97.5th percentile interval over the runs, and the paired difference', () => {
    const run = (recovered: number, contacts: number) => ({
      cases: 10,
      balance: 1_000,
      recovered,
      recoveredByDay: [0, recovered / 2, recovered],
      contacts: { email: contacts },
      cost: contacts * 10,
      holds: {},
      endings: { paid: recovered / 100 },
      responses: {},
    });
    const a = Array.from({ length: 41 }, (_, index) => run(index * 10, 20));
    const b = a.map((totals) => run(totals.recovered + 50, 10));
    const summary = summarize([a, b], [{ label: 'champion' }, { label: 'challenger' }]);
    expect(summary.runs).toBe(41);
    expect(summary.cases).toBe(10);
    const [first, second] = summary.arms;
    expect(first?.label).toBe('champion');
    expect(first?.recoveryRate.mean).toBeCloseTo(0.2);
    expect(first?.recoveryRate.low).toBeCloseTo(0.01);
    expect(first?.recoveryRate.high).toBeCloseTo(0.39);
    expect(first?.recoveredBy.d30.mean).toBeCloseTo(0.2);
    expect(first?.curve.map((point) => point.day)).toEqual([0, 1, 2]);
    expect(first?.curve[1]?.mean).toBeCloseTo(0.1);
    expect(second?.contactsPerCase).toEqual({ mean: 1, low: 1, high: 1 });
    // The run that collected nothing has no cost per dollar and is left out: the highest are 200/10 and 200/20.
    expect(first?.costPerDollarCollected.high).toBeCloseTo(10 + 0.025 * 10);
    expect(summary.difference?.mean).toBeCloseTo(0.05);
    expect(summary.difference?.low).toBeCloseTo(0.05);
    expect(summary.difference?.high).toBeCloseTo(0.05);
  });
});
