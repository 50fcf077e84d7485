import { describe, expect, it } from 'vitest';
import { responseKinds, ZResponseModel, type ResponseKind, type TResponseRates } from '../../domain/simulation/contract.js';
import { fitResponseModel, stratumOf, type ContactObservation } from '../../domain/simulation/fit.js';
import { observationsOf, type CaseHistory } from '../../domain/simulation/history.js';
import { randomStream } from '../../domain/simulation/random.js';
import { pickResponse, ratesLookup } from '../../domain/simulation/strata.js';

/**
 * The fit against histories whose rates we know: drawn from given rates per stratum, the fitted
 * model gives them back within sampling error, thin strata lean on the base rates as much as the
 * prior says, and the engine's history reads into the observations the fit expects.
 */

const none: TResponseRates = Object.fromEntries(responseKinds.map((kind) => [kind, 0])) as TResponseRates;
const options = { name: 'fitted', version: 1, responseWindowDays: 14, priorStrength: 0 };

interface Row {
  contact: Omit<ContactObservation, 'response'>;
  rates: Partial<TResponseRates>;
}

const table: Row[] = [
  { contact: { action: 'email', balance: 30_000, daysPastDue: 20, daysSinceContact: null }, rates: { pay_full: 0.1, reply: 0.05, bounce: 0.02 } },
  { contact: { action: 'sms', balance: 150_000, daysPastDue: 100, daysSinceContact: 5 }, rates: { pay_part: 0.08, opt_out: 0.06 } },
  { contact: { action: 'call', balance: 500_000, daysPastDue: 45, daysSinceContact: 20 }, rates: { promise_kept: 0.12, promise_broken: 0.08, dispute: 0.03 } },
  { contact: { action: 'letter', balance: 5_000, daysPastDue: 200, daysSinceContact: 1 }, rates: {} },
];

function synthetic(perRow: number, seed: number): ContactObservation[] {
  const random = randomStream(seed);
  return table.flatMap(({ contact, rates }) => Array.from({ length: perRow }, () => ({ ...contact, response: pickResponse({ ...none, ...rates }, random()) })));
}

describe('fitResponseModel', () => {
  const perRow = 20_000;
  const model = fitResponseModel(synthetic(perRow, 11), options);
  const lookup = ratesLookup(model);

  it.each(table)('recovers the rates of $contact.action contacts within sampling error', ({ contact, rates }) => {
    const fitted = lookup(stratumOf({ ...contact, response: null }));
    for (const kind of responseKinds) {
      const truth = rates[kind] ?? 0;
      // Four standard errors of a proportion over this many draws: a wrong fit fails, chance does not.
      const tolerance = 4 * Math.sqrt(Math.max(truth * (1 - truth), 1 / perRow) / perRow);
      expect(Math.abs(fitted[kind] - truth), `${contact.action} ${kind}`).toBeLessThanOrEqual(tolerance);
    }
  });

  it('keeps the base rates as the average over every contact, and is a model the schema accepts', () => {
    const expected = (kind: ResponseKind) => table.reduce((sum, row) => sum + (row.rates[kind] ?? 0), 0) / table.length;
    for (const kind of responseKinds) expect(model.base[kind]).toBeCloseTo(expected(kind), 2);
    expect(ZResponseModel.safeParse(model).success).toBe(true);
    // A stratum per full key and per action.
    expect(model.strata).toHaveLength(table.length * 2);
    expect(model.strata.every((stratum) => stratum.observations === perRow)).toBe(true);
  });

  it('shrinks a thin stratum toward the base rates by the prior strength', () => {
    const thin: ContactObservation = { action: 'whatsapp', balance: 30_000, daysPastDue: 20, daysSinceContact: null, response: 'pay_full' };
    const history = [...synthetic(2_000, 5), thin, thin, thin];
    const prior = 20;
    const shrunk = fitResponseModel(history, { ...options, priorStrength: prior });
    const rates = ratesLookup(shrunk)(stratumOf(thin));
    expect(rates.pay_full).toBeCloseTo((3 + prior * shrunk.base.pay_full) / (3 + prior), 10);
    expect(rates.reply).toBeCloseTo((prior * shrunk.base.reply) / (3 + prior), 10);
    // Without a prior, three payments out of three say everyone pays.
    expect(ratesLookup(fitResponseModel(history, options))(stratumOf(thin)).pay_full).toBe(1);
  });

  it('fits the part-payment share and the background rate', () => {
    const observations: ContactObservation[] = [
      { action: 'email', balance: 10_000, daysPastDue: 10, daysSinceContact: null, response: 'pay_part', share: 0.2 },
      { action: 'email', balance: 10_000, daysPastDue: 10, daysSinceContact: null, response: 'pay_part', share: 0.4 },
    ];
    const fitted = fitResponseModel(observations, { ...options, background: { payments: 3, caseDays: 3_000 } });
    expect(fitted.partShare).toBeCloseTo(0.3);
    expect(fitted.backgroundDailyPayFull).toBeCloseTo(0.001);
  });
});

describe('observationsOf', () => {
  const day = 86_400_000;
  const start = Date.UTC(2026, 5, 1, 15);
  const history: CaseHistory = {
    balance: 100_000,
    daysPastDue: 30,
    startedAt: start,
    endedAt: start + 90 * day,
    contacts: [
      { at: start, action: 'email', bounced: false },
      { at: start + 3 * day, action: 'sms', bounced: true },
      { at: start + 10 * day, action: 'letter', bounced: false },
      { at: start + 14 * day, action: 'call', bounced: false },
      { at: start + 40 * day, action: 'email', bounced: false },
    ],
    payments: [
      { at: start + 2 * day, amount: 25_000 },
      { at: start + 70 * day, amount: 75_000 },
    ],
    replies: [{ at: start + 12 * day, intent: 'stop' }],
    promises: [{ at: start + 15 * day, kept: false }],
    disputes: [],
  };

  it('gives each contact the first thing that followed it within the window, and counts payments no contact explains', () => {
    const { observations, background } = observationsOf([history], 7);
    expect(observations.map((observation) => [observation.action, observation.response, observation.balance, observation.daysPastDue, observation.daysSinceContact])).toEqual([
      ['email', 'pay_part', 100_000, 30, null],
      ['sms', 'bounce', 75_000, 33, 3],
      ['letter', 'opt_out', 75_000, 40, 7],
      ['call', 'promise_broken', 75_000, 44, 4],
      ['email', null, 75_000, 70, 26],
    ]);
    expect(observations[0]?.share).toBeCloseTo(0.25);
    // The final payment came 30 days after the last contact: the debtor's own doing.
    expect(background).toEqual({ payments: 1, caseDays: 90 });
  });
});
