import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { DesignatedTime } from '../../domain/case-facts.js';
import { decideContact, recordContact, type PersonGrantRequest, type PersonLedger } from '../../domain/person/contact-decision.js';
import { applyPersonChange } from '../../domain/person/person-facts.js';
import type { StateOverrideTable } from '../../domain/regulation/state-overrides.js';
import type { PersonChange, PersonFacts } from '../../workflows/person-messages.js';
import { answerLifts, callConsented, media, violations, weekdayNames, type Medium, type PersonModel, type TestPolicy } from './oracle.js';

/**
 * Properties of the person's contact decisions over generated people with 1–5 debts and random
 * interleavings of sends, calls, conversations, replies, consents, opt-outs, refusals, flags,
 * designations, disputes, and messages the person starts with our answers to them: every contact the rules permit is checked against the plain
 * restatement in oracle.ts, and every hold's `until` is permitted when asked again.
 *
 * Runs: PROPERTY_RUNS (default 10,000 per property); `npm run test:properties:nightly` runs 200,000.
 */

const runs = Number(process.env.PROPERTY_RUNS ?? 10_000);
const seed = process.env.PROPERTY_SEED === undefined ? {} : { seed: Number(process.env.PROPERTY_SEED) };
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const at = (iso: string): number => Date.parse(iso);

/** The state table the rules get; oracle.ts states the same rules in its own words. */
const table: StateOverrideTable = {
  MA: { source: 'MA test rule', frequencyCaps: [{ media: ['phone', 'sms'], max: 2, days: 7 }] },
  ZZ: { source: 'ZZ test rule', allowedHours: { start: '09:00', end: '20:00' }, noContactDays: ['sat'], frequencyCaps: [{ media: ['phone', 'sms'], max: 3, days: 7 }] },
  YY: { source: 'YY test rule', frequencyCaps: [{ media: ['email'], max: 1, days: 2, scope: 'debt' }] },
};

const zonePool = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage', 'Pacific/Honolulu'];
const dstEdges = ['2026-03-08T08:00:00Z', '2026-11-01T07:00:00Z', '2026-03-08T10:00:00Z', '2026-11-01T09:00:00Z'].map(at);
const clock = (quarter: number) => `${String(Math.floor(quarter / 4)).padStart(2, '0')}:${String((quarter % 4) * 15).padStart(2, '0')}`;

const arbStart = fc.oneof(
  fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2027-01-01T00:00:00Z') }),
  fc.constantFrom(...dstEdges).chain((edge) => fc.integer({ min: edge - 2 * day, max: edge + day })),
);
const arbCap = (min: number) => fc.record({ max: fc.integer({ min, max: 4 }), days: fc.integer({ min: 1, max: 7 }) });
const arbPolicy: fc.Arbitrary<TestPolicy> = fc.record(
  {
    // Quarter hours: a start from 06:00 to 12:00, an end from 14:00 to 23:00, so most share time with 08:00–21:00.
    allowedHours: fc.tuple(fc.integer({ min: 24, max: 48 }), fc.integer({ min: 56, max: 92 })).map(([a, b]) => ({ start: clock(a), end: clock(b) })),
    noContactDays: fc.uniqueArray(fc.constantFrom(...weekdayNames), { maxLength: 2 }),
    frequencyCaps: fc.record({ phone: arbCap(1), sms: arbCap(1), email: arbCap(0) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const arbDesignation = fc.record(
  {
    from: fc.integer({ min: 0, max: 47 }).map((half) => clock(half * 2)),
    to: fc.integer({ min: 1, max: 48 }).map((half) => clock(half * 2)),
    days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }),
    media: fc.uniqueArray(fc.constantFrom<Medium>(...media), { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: ['from', 'to'] },
);

/** A change to what the person told us; turned into a PersonChange at the instant it happens. */
type ChangeSpec =
  | { kind: 'opt_out' | 'opt_in' | 'stop_reply' | 'start_reply'; channel: 'sms' | 'email' }
  | { kind: 'refuse'; medium: Medium; address: boolean }
  | { kind: 'refuse_work' }
  | { kind: 'flag'; flag: 'ceaseCommunication' | 'attorneyRepresented' | 'bankruptcy' | 'deceased'; set: boolean }
  | { kind: 'designations'; list: Omit<DesignatedTime, 'at' | 'source'>[] }
  | { kind: 'consent'; granted: boolean };

const arbChange: fc.Arbitrary<ChangeSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('opt_out' as const, 'opt_in' as const, 'stop_reply' as const, 'start_reply' as const), channel: fc.constantFrom('sms' as const, 'email' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refuse' as const), medium: fc.constantFrom<Medium>(...media), address: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'refuse_work' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('flag' as const),
      flag: fc.constantFrom('ceaseCommunication' as const, 'attorneyRepresented' as const, 'bankruptcy' as const, 'deceased' as const),
      set: fc.oneof(fc.constant(false), fc.constant(false), fc.constant(true)),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('designations' as const), list: fc.array(arbDesignation, { minLength: 1, maxLength: 2 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('consent' as const), granted: fc.boolean() }) },
);

/** An opt-out or a refusal, which answers to the person's own messages may pass once. */
const arbBar: fc.Arbitrary<ChangeSpec> = fc.oneof(
  fc.record({ kind: fc.constantFrom('opt_out' as const, 'stop_reply' as const), channel: fc.constantFrom('sms' as const, 'email' as const) }),
  fc.record({ kind: fc.constant('refuse' as const), medium: fc.constantFrom<Medium>(...media), address: fc.boolean() }),
);

type Step =
  /** `answer`: the contact answers the person's latest message in its medium, if any. */
  | { kind: 'ask'; caseIndex: number; medium: Medium; advance: number; take: boolean; conversation: boolean; answer: boolean }
  | { kind: 'inbound'; medium: Medium; advance: number }
  | { kind: 'change'; change: ChangeSpec; advance: number }
  | { kind: 'dispute'; caseIndex: number; disputed: boolean; advance: number };

/** Mostly minutes to hours, so caps fill; sometimes days, so windows and weeks roll over. */
const arbAdvance = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 3 * hour }) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 2 * day }) });
const arbStep = (cases: number): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('ask' as const),
        caseIndex: fc.integer({ min: 0, max: cases - 1 }),
        medium: fc.constantFrom<Medium>('phone', 'phone', 'sms', 'email'),
        advance: arbAdvance,
        take: fc.boolean(),
        conversation: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 3, arbitrary: fc.constant(false) }),
        answer: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 2, arbitrary: fc.constant(false) }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('inbound' as const), medium: fc.constantFrom<Medium>(...media), advance: arbAdvance }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('change' as const), change: arbChange, advance: arbAdvance }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('dispute' as const), caseIndex: fc.integer({ min: 0, max: cases - 1 }), disputed: fc.boolean(), advance: arbAdvance }) },
  );

interface Prior {
  caseIndex: number;
  medium: Medium;
  ago: number;
  conversation: boolean;
  consented: boolean;
}
const arbPrior = (cases: number): fc.Arbitrary<Prior> =>
  fc.record({
    caseIndex: fc.integer({ min: 0, max: cases - 1 }),
    medium: fc.constantFrom<Medium>('phone', 'phone', 'sms', 'email'),
    ago: fc.integer({ min: 1, max: 8 * day }),
    conversation: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 6, arbitrary: fc.constant(false) }),
    consented: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 4, arbitrary: fc.constant(false) }),
  });

interface Scenario {
  zones: string[];
  state: string | undefined;
  hasPhone: boolean;
  emailAtWork: boolean;
  start: number;
  cases: { group: number; policy: TestPolicy }[];
  initial: ChangeSpec[];
  /** How long before the start the initial changes were made (a consent may be about to lapse). */
  initialAgo: number;
  prior: Prior[];
  steps: Step[];
}

const arbScenario: fc.Arbitrary<Scenario> = fc.integer({ min: 1, max: 5 }).chain((count) =>
  fc.record({
    zones: fc.uniqueArray(fc.constantFrom(...zonePool), { minLength: 1, maxLength: 2 }),
    state: fc.constantFrom(undefined, undefined, 'MA', 'ZZ', 'YY', 'TX'),
    hasPhone: fc.boolean(),
    emailAtWork: fc.boolean(),
    start: arbStart,
    // Debts the rules treat as one share a group: with five debts, at most three groups.
    cases: fc.array(fc.record({ group: fc.integer({ min: 0, max: 2 }), policy: arbPolicy }), { minLength: count, maxLength: count }),
    initial: fc
      .tuple(fc.array(arbDesignation, { maxLength: 2 }), fc.array(arbBar, { maxLength: 1 }), fc.array(arbChange, { maxLength: 3 }))
      .map(([list, bars, changes]): ChangeSpec[] => [...(list.length > 0 ? [{ kind: 'designations' as const, list }] : []), ...bars, ...changes]),
    initialAgo: fc.oneof(fc.integer({ min: 0, max: 8 * day }), fc.integer({ min: 7 * day - 2 * hour, max: 7 * day })),
    prior: fc.oneof(
      fc.array(arbPrior(count), { maxLength: 6 }),
      // A burst of calls on one debt, so the federal cap is reached.
      fc.integer({ min: 0, max: count - 1 }).chain((caseIndex) =>
        fc.array(arbPrior(count).map((prior) => ({ ...prior, caseIndex, medium: 'phone' as const, ago: prior.ago % (6 * day) })), { minLength: 5, maxLength: 8 }),
      ),
    ),
    steps: fc.array(arbStep(count), { minLength: 1, maxLength: 8 }),
  }),
);

/** The person's facts, ledger and oracle model at the start of a scenario. */
function begin(scenario: Scenario): { ledger: PersonLedger; model: PersonModel; groups: string[] } {
  const [timeZone = 'UTC', ...others] = scenario.zones;
  const facts: PersonFacts = {
    contacts: {
      email: { address: 'ana@example.com', valid: true, optedOut: false, consent: false, place: scenario.emailAtWork ? 'work' : 'home' },
      sms: { address: '+13125550100', valid: true, optedOut: false, consent: true, place: 'mobile' },
      ...(scenario.hasPhone ? { phone: { address: '+13125550199', valid: true, optedOut: false, consent: false, place: 'home' as const } } : {}),
    },
    ...(others.length > 0 ? { timeZones: others } : {}),
    ...(scenario.state ? { state: scenario.state } : {}),
  };
  const groups = scenario.cases.map((each) => `G${each.group}`);
  const ledger: PersonLedger = {
    personId: 'debtor-1',
    name: 'Ana Ruiz',
    timeZone,
    facts,
    cases: Object.fromEntries(groups.map((group, index) => [`case-${index}`, { caseId: `case-${index}`, accountExternalId: `ACC-${index}`, debtGroup: group, open: true }])),
    contacts: [],
  };
  const model: PersonModel = {
    zones: scenario.zones,
    state: scenario.state,
    hasPhone: scenario.hasPhone,
    emailAtWork: scenario.emailAtWork,
    optedOut: { sms: null, email: null },
    refused: { phone: null, sms: null, email: null },
    emailAddressRefused: null,
    inbound: [],
    answered: new Set(),
    workRefused: false,
    flags: new Set(),
    designations: [],
    consentAt: null,
    disputed: scenario.cases.map(() => false),
    contacts: [],
  };
  return { ledger, model, groups };
}

/** The PersonChange for a spec at `now`, and the oracle's own reading of it. */
function change(spec: ChangeSpec, now: number, model: PersonModel): PersonChange {
  const source = 'test';
  switch (spec.kind) {
    case 'opt_out':
      model.optedOut[spec.channel] ??= now;
      return { kind: 'compliance', event: { type: 'opted_out', channel: spec.channel, at: now, source } };
    case 'opt_in':
      model.optedOut[spec.channel] = null;
      return { kind: 'compliance', event: { type: 'opted_in', channel: spec.channel, at: now, source } };
    case 'stop_reply':
      model.optedOut[spec.channel] ??= now;
      return { kind: 'compliance', event: { type: 'reply_received', channel: spec.channel, text: 'STOP', intent: 'stop', at: now } };
    case 'start_reply':
      model.optedOut[spec.channel] = null;
      return { kind: 'compliance', event: { type: 'reply_received', channel: spec.channel, text: 'START', intent: 'start', at: now } };
    case 'refuse': {
      const byAddress = spec.address && spec.medium === 'email';
      // A refusal already made is not made again (the medium refused covers its address).
      if (byAddress) {
        if (model.refused.email === null) model.emailAddressRefused ??= now;
      } else model.refused[spec.medium] ??= now;
      return { kind: 'compliance', event: { type: 'medium_refused', medium: spec.medium, ...(byAddress ? { address: 'ana@example.com' } : {}), at: now, source } };
    }
    case 'refuse_work':
      model.workRefused = true;
      return { kind: 'compliance', event: { type: 'place_refused', place: 'work', at: now, source } };
    case 'flag':
      if (spec.set) model.flags.add(spec.flag);
      else model.flags.delete(spec.flag);
      return { kind: 'compliance', event: { type: spec.set ? 'flag_set' : 'flag_cleared', flag: spec.flag, at: now, source } };
    case 'designations': {
      const list = spec.list.map((each) => ({ ...each, at: now, source }));
      model.designations = list;
      return { kind: 'designations', inconvenientTimes: list, source, at: now };
    }
    case 'consent':
      if (spec.granted) model.consentAt = now;
      else model.consentAt = null;
      return { kind: 'call_consent', granted: spec.granted, source, at: now };
  }
}

/** What the runs did, printed with PROPERTY_STATS=1 to see that the generators reach the rules. */
const stats = new Map<string, number>();
const tally = (key: string): void => {
  if (process.env.PROPERTY_STATS) stats.set(key, (stats.get(key) ?? 0) + 1);
};

/**
 * Plays a scenario: asks at each step (without counting), checks a permitted contact against the
 * oracle and records it, and takes a held one at its `until` when the step (or `always`) says so.
 */
function play(
  scenario: Scenario,
  { takeHolds, check }: { takeHolds: 'when_asked' | 'always'; check: 'oracle' | 'until' },
): void {
  const { ledger: first, model, groups } = begin(scenario);
  let ledger = first;
  const noticeAt = scenario.start - 10 * day;
  for (const spec of scenario.initial) ledger = { ...ledger, facts: applyPersonChange(ledger.facts, change(spec, scenario.start - scenario.initialAgo, model)).facts };
  for (const [index, prior] of [...scenario.prior].sort((a, b) => b.ago - a.ago).entries()) {
    const priorAt = scenario.start - prior.ago;
    const group = groups[prior.caseIndex] ?? '';
    const phone = prior.medium === 'phone';
    ledger = recordContact(
      ledger,
      {
        grantId: `prior-${index}`,
        caseId: `case-${prior.caseIndex}`,
        debtGroup: group,
        medium: prior.medium,
        at: priorAt,
        ...(phone && prior.conversation ? { conversation: true } : {}),
        ...(phone && prior.consented ? { consented: true } : {}),
      },
      scenario.start,
    );
    // A call under the person's consent is outside the federal cap, whether or not its record says so.
    const exempt = phone && (prior.consented || callConsented(model, priorAt));
    model.contacts.push({ caseIndex: prior.caseIndex, group, medium: prior.medium, at: priorAt, exempt, conversation: phone && prior.conversation });
  }

  let now = scenario.start;
  let serial = 0;
  for (const step of scenario.steps) {
    now += step.advance;
    if (step.kind === 'change') {
      ledger = { ...ledger, facts: applyPersonChange(ledger.facts, change(step.change, now, model)).facts };
      continue;
    }
    if (step.kind === 'dispute') {
      model.disputed[step.caseIndex] = step.disputed;
      continue;
    }
    if (step.kind === 'inbound') {
      model.inbound.push({ messageId: `in-${model.inbound.length}`, medium: step.medium, at: now });
      continue;
    }
    // An answer goes in the medium of the person's latest message.
    const answering = step.answer ? model.inbound.at(-1) : undefined;
    const medium = answering?.medium ?? step.medium;
    const caseIndex = step.caseIndex;
    const policy = scenario.cases[caseIndex]?.policy ?? {};
    const request = (grantId: string): PersonGrantRequest => ({
      grantId,
      caseId: `case-${caseIndex}`,
      channel: medium,
      action: answering ? 'answer' : 'collection',
      ...(answering ? { inReplyTo: answering } : {}),
      debt: {
        balance: 10_000,
        history: {
          firstCommunicationAt: noticeAt,
          validationNoticeSentAt: noticeAt,
          dispute: model.disputed[caseIndex] ? { receivedAt: noticeAt + day, source: 'letter', verificationSentAt: null } : null,
        },
      },
      policy,
    });
    const take = (at: number, grantId: string): void => {
      const decision = decideContact({ ledger, request: request(grantId), now: at, overrides: table });
      if (decision.grant.kind !== 'permitted') return;
      expect(decision.contact).not.toBeNull();
      const group = groups[caseIndex] ?? '';
      if (check === 'oracle') {
        const broken = violations({ model, caseIndex, group, medium: medium, t: at, policy, ...(answering ? { answering } : {}) });
        expect(broken, `${medium} on case-${caseIndex} at ${new Date(at).toISOString()} (${scenario.zones.join(', ')})`).toEqual([]);
      }
      const conversation = medium === 'phone' && step.conversation;
      ledger = recordContact(ledger, { ...(decision.contact ?? { grantId, caseId: `case-${caseIndex}`, debtGroup: group, medium: medium, at }), ...(conversation ? { conversation } : {}) }, at);
      model.contacts.push({ caseIndex, group, medium: medium, at, exempt: medium === 'phone' && callConsented(model, at), conversation });
      if (answering && answerLifts(model, medium, answering)) {
        tally('(answered past an opt-out or refusal)');
        model.answered.add(answering.messageId);
      }
    };

    const grantId = `g-${++serial}`;
    const { grant } = decideContact({ ledger, request: { ...request(grantId), reserve: false }, now, overrides: table });
    tally(`${medium} ${grant.kind}${grant.kind === 'held' && grant.until === null ? ' (no until)' : ''}`);
    if (grant.kind !== 'permitted') tally(`  ${grant.reason.replace(/[0-9]+/g, '#').slice(0, 60)}`);
    if (grant.kind === 'permitted') take(now, grantId);
    else if (grant.kind === 'held' && grant.until !== null) {
      if (check === 'until') {
        expect(grant.until).toBeGreaterThan(now);
        const again = decideContact({ ledger, request: { ...request(`${grantId}-again`), reserve: false }, now: grant.until, overrides: table });
        expect(again.grant, `held until ${new Date(grant.until).toISOString()}: ${grant.reason}`).toMatchObject({ kind: 'permitted' });
      }
      if (takeHolds === 'always' || step.take) {
        tally('(taken at until)');
        now = grant.until;
        take(now, `${grantId}-later`);
      }
    }
  }
}

const timeout = Math.max(120_000, runs * 30);

describe('person contact decisions, as properties', () => {
  afterAll(() => {
    if (process.env.PROPERTY_STATS) console.log([...stats.entries()].sort((a, b) => b[1] - a[1]).map(([key, count]) => `${count}\t${key}`).join('\n'));
  });

  it(
    `no permitted contact breaks a cap (per debt, per person), a window in any zone, a bar or a designation (${runs} runs)`,
    () => {
      fc.assert(
        fc.property(arbScenario, (scenario) => play(scenario, { takeHolds: 'when_asked', check: 'oracle' })),
        { numRuns: runs, ...seed },
      );
    },
    timeout,
  );

  it(
    `a held contact is permitted at its until, asked again with no new facts (${runs} runs)`,
    () => {
      fc.assert(
        fc.property(arbScenario, (scenario) => play(scenario, { takeHolds: 'always', check: 'until' })),
        { numRuns: runs, ...seed },
      );
    },
    timeout,
  );
});
