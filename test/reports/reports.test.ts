import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../api/services/csv.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { testKeys } from '../../testing/api-client.js';
import { seedPortfolio } from './portfolio-fixture.js';

/**
 * Every report over the API against the fixture portfolio (portfolio-fixture.ts). The expected
 * figures below are worked out by hand from the fixture's table; none comes from report code.
 * As-of 2026-03-31 means up to 2026-04-01T00:00Z: c5 (started 04-05) and the payment of 04-02
 * are not there yet; c3's payment reversed on 02-20 no longer counts, c6's reversed on 04-10 does.
 */

let engine: Engine;
const get = (path: string) => engine.call('GET', path);

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
  await seedPortfolio(engine.db);
});

afterAll(async () => {
  await engine?.stop();
});

describe('recovery', () => {
  // Cases without an account ledger (the fixture writes none) count all they collected as principal.
  it('divides collected by placed per strategy and currency', async () => {
    const { status, body } = await get('/api/v1/reports/recovery?asOf=2026-03-31');
    expect(status).toBe(200);
    expect(body.groupBy).toEqual(['strategy']);
    expect(body.rows).toEqual([
      // c6 only: 5,000 of 30,000 (its reversal comes after the as-of date).
      { currency: 'EUR', strategy: 'beta', cases: 1, casesWithPayments: 1, placed: 30_000, collected: 5_000, collectedPrincipal: 5_000, collectedInterest: 0, collectedFees: 0, recoveryRate: 0.1667 },
      // c1 50,000 + c2 50,000 + c3 40,000 (its 10,000 was reversed in February) of 350,000.
      { currency: 'USD', strategy: 'alpha', cases: 3, casesWithPayments: 3, placed: 350_000, collected: 140_000, collectedPrincipal: 140_000, collectedInterest: 0, collectedFees: 0, recoveryRate: 0.4 },
      // c4 only; its payment of 04-02 is after the as-of date.
      { currency: 'USD', strategy: 'beta', cases: 1, casesWithPayments: 0, placed: 80_000, collected: 0, collectedPrincipal: 0, collectedInterest: 0, collectedFees: 0, recoveryRate: 0 },
    ]);
    expect(body.totals).toEqual([
      { currency: 'EUR', cases: 1, casesWithPayments: 1, placed: 30_000, collected: 5_000, collectedPrincipal: 5_000, collectedInterest: 0, collectedFees: 0, recoveryRate: 0.1667 },
      { currency: 'USD', cases: 4, casesWithPayments: 3, placed: 430_000, collected: 140_000, collectedPrincipal: 140_000, collectedInterest: 0, collectedFees: 0, recoveryRate: 0.3256 },
    ]);
  });

  it('counts a reversed payment until the day of its reversal', async () => {
    // On 02-16: c1 has 50,000, c3's 10,000 is not yet reversed, c2 has nothing; c6 has not started.
    const { body } = await get('/api/v1/reports/recovery?asOf=2026-02-16');
    expect(body.rows).toEqual([{ currency: 'USD', strategy: 'alpha', cases: 3, casesWithPayments: 2, placed: 350_000, collected: 60_000, collectedPrincipal: 60_000, collectedInterest: 0, collectedFees: 0, recoveryRate: 0.1714 }]);
  });

  it('groups by version, arm, portfolio and cohort', async () => {
    const pick = (rows: Record<string, unknown>[], keys: string[]) => rows.map((row) => Object.fromEntries(keys.map((key) => [key, row[key]])));
    const version = await get('/api/v1/reports/recovery?asOf=2026-03-31&groupBy=version');
    expect(version.body.groupBy).toEqual(['strategy', 'version']);
    expect(pick(version.body.rows, ['currency', 'strategy', 'version', 'placed', 'collected', 'recoveryRate'])).toEqual([
      { currency: 'EUR', strategy: 'beta', version: 1, placed: 30_000, collected: 5_000, recoveryRate: 0.1667 },
      { currency: 'USD', strategy: 'alpha', version: 1, placed: 150_000, collected: 100_000, recoveryRate: 0.6667 },
      { currency: 'USD', strategy: 'alpha', version: 2, placed: 200_000, collected: 40_000, recoveryRate: 0.2 },
      { currency: 'USD', strategy: 'beta', version: 1, placed: 80_000, collected: 0, recoveryRate: 0 },
    ]);
    const arm = await get('/api/v1/reports/recovery?asOf=2026-03-31&groupBy=arm');
    expect(pick(arm.body.rows, ['currency', 'arm', 'cases', 'placed', 'collected', 'recoveryRate'])).toEqual([
      { currency: 'EUR', arm: null, cases: 1, placed: 30_000, collected: 5_000, recoveryRate: 0.1667 },
      { currency: 'USD', arm: 'challenger', cases: 1, placed: 50_000, collected: 50_000, recoveryRate: 1 },
      { currency: 'USD', arm: 'champion', cases: 2, placed: 300_000, collected: 90_000, recoveryRate: 0.3 },
      { currency: 'USD', arm: null, cases: 1, placed: 80_000, collected: 0, recoveryRate: 0 },
    ]);
    const portfolio = await get('/api/v1/reports/recovery?asOf=2026-03-31&groupBy=portfolio');
    expect(pick(portfolio.body.rows, ['currency', 'portfolio', 'cases', 'placed', 'collected', 'recoveryRate'])).toEqual([
      { currency: 'EUR', portfolio: 'ACME', cases: 1, placed: 30_000, collected: 5_000, recoveryRate: 0.1667 },
      { currency: 'USD', portfolio: 'ACME', cases: 2, placed: 150_000, collected: 100_000, recoveryRate: 0.6667 },
      { currency: 'USD', portfolio: 'Globex', cases: 2, placed: 280_000, collected: 40_000, recoveryRate: 0.1429 },
    ]);
    const cohort = await get('/api/v1/reports/recovery?asOf=2026-03-31&groupBy=cohort,strategy');
    expect(cohort.body.groupBy).toEqual(['strategy', 'cohort']);
    expect(pick(cohort.body.rows, ['currency', 'strategy', 'cohort', 'cases', 'collected'])).toEqual([
      { currency: 'EUR', strategy: 'beta', cohort: '2026-02', cases: 1, collected: 5_000 },
      { currency: 'USD', strategy: 'alpha', cohort: '2026-01', cases: 2, collected: 100_000 },
      { currency: 'USD', strategy: 'alpha', cohort: '2026-02', cases: 1, collected: 40_000 },
      { currency: 'USD', strategy: 'beta', cohort: '2026-03', cases: 1, collected: 0 },
    ]);
  });

  it('answers CSV, and refuses unknown dimensions, bad dates and roles without access', async () => {
    const csv = await get('/api/v1/reports/recovery?asOf=2026-03-31&groupBy=portfolio&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="recovery-2026-03-31.csv"');
    expect(csv.text).toBe(
      [
        'currency,portfolio,cases,casesWithPayments,placed,collected,collectedPrincipal,collectedInterest,collectedFees,recoveryRate',
        'EUR,ACME,1,1,30000,5000,5000,0,0,0.1667',
        'USD,ACME,2,2,150000,100000,100000,0,0,0.6667',
        'USD,Globex,2,1,280000,40000,40000,0,0,0.1429',
        '',
      ].join('\r\n'),
    );
    expect((await get('/api/v1/reports/recovery?groupBy=color')).status).toBe(400);
    expect((await get('/api/v1/reports/recovery?asOf=2026-13-01')).status).toBe(400);
    // Integrations feed the engine and read nothing back; officers read their team's figures (test/security/scoped-access).
    expect((await engine.call('GET', '/api/v1/reports/recovery', { key: testKeys.integration })).status).toBe(403);
    expect((await engine.call('GET', '/api/v1/reports/recovery', { key: testKeys.officer })).status).toBe(200);
    expect((await engine.call('GET', '/api/v1/reports/recovery', { key: testKeys.auditor })).status).toBe(200);
  });
});

describe('aging and roll rates', () => {
  it('puts each open case in its bucket by days past due on the as-of date, with what it still owes', async () => {
    const { body } = await get('/api/v1/reports/aging?asOf=2026-03-31');
    const nonEmpty = body.rows.filter((row: { cases: number }) => row.cases > 0);
    // c1: 20 + 80 days = 100, owes 50,000; c3: 100 + 56 = 156, owes 160,000; c4: 170 + 16 = 186;
    // c6: 45 + 39 = 84, owes 25,000 EUR. c2 closed on 03-05, c5 not started.
    expect(nonEmpty).toEqual([
      { currency: 'EUR', bucket: '61-90', cases: 1, balance: 25_000, principal: 25_000, interest: 0, fees: 0 },
      { currency: 'USD', bucket: '91-120', cases: 1, balance: 50_000, principal: 50_000, interest: 0, fees: 0 },
      { currency: 'USD', bucket: '121-180', cases: 1, balance: 160_000, principal: 160_000, interest: 0, fees: 0 },
      { currency: 'USD', bucket: '180+', cases: 1, balance: 80_000, principal: 80_000, interest: 0, fees: 0 },
    ]);
    expect(body.rows.map((row: { bucket: string }) => row.bucket).slice(0, 7)).toEqual(['current', '1-30', '31-60', '61-90', '91-120', '121-180', '180+']);
    expect(body.rows).toHaveLength(14);
    const csv = await get('/api/v1/reports/aging?asOf=2026-03-31&format=csv');
    expect(csv.text.split('\r\n')[0]).toBe('currency,bucket,cases,balance,principal,interest,fees');
    expect(csv.text).toContain('USD,121-180,1,160000,160000,0,0');
  });

  it('follows the cases open at one month-end to the next', async () => {
    // Open on 02-28: c1 (69 days: 61-90), c2 (34: 31-60), c3 (125: 121-180), c6 (53: 31-60).
    // On 03-31: c1 100 (91-120), c2 closed, c3 156 (121-180), c6 84 (61-90).
    const expected = {
      report: 'roll-rates',
      from: '2026-02-28',
      to: '2026-03-31',
      transitions: [
        { fromBucket: '31-60', toBucket: '61-90', cases: 1 },
        { fromBucket: '31-60', toBucket: 'closed', cases: 1 },
        { fromBucket: '61-90', toBucket: '91-120', cases: 1 },
        { fromBucket: '121-180', toBucket: '121-180', cases: 1 },
      ],
    };
    const { body } = await get('/api/v1/reports/roll-rates?asOf=2026-03-31');
    expect(body).toMatchObject({ asOf: '2026-03-31', ...expected });
    const byBucket = Object.fromEntries(body.buckets.map((row: { bucket: string }) => [row.bucket, row]));
    expect(byBucket['31-60']).toEqual({ bucket: '31-60', cases: 2, rolledForward: 1, stayed: 0, improved: 0, closed: 1, rollRate: 0.5 });
    expect(byBucket['61-90']).toEqual({ bucket: '61-90', cases: 1, rolledForward: 1, stayed: 0, improved: 0, closed: 0, rollRate: 1 });
    expect(byBucket['121-180']).toEqual({ bucket: '121-180', cases: 1, rolledForward: 0, stayed: 1, improved: 0, closed: 0, rollRate: 0 });
    expect(byBucket.current).toEqual({ bucket: 'current', cases: 0, rolledForward: 0, stayed: 0, improved: 0, closed: 0, rollRate: null });
    // Mid-April still compares the last two month-ends.
    expect((await get('/api/v1/reports/roll-rates?asOf=2026-04-15')).body).toMatchObject(expected);
  });
});

describe('liquidation curves', () => {
  it('accumulates collections by months since placement for each cohort', async () => {
    const { body } = await get('/api/v1/reports/liquidation?asOf=2026-03-31');
    // Jan USD (c1, c2; 150,000): 20,000 in month 0 (01-20), 30,000 (02-15) + 50,000 (03-05) in month 1.
    // Feb USD (c3; 200,000): 40,000 in month 1 (03-20; the reversed one does not count).
    // Feb EUR (c6; 30,000): 5,000 in month 0. Mar USD (c4): nothing yet.
    expect(body.cohorts).toEqual([
      {
        cohort: '2026-01',
        currency: 'USD',
        cases: 2,
        placed: 150_000,
        points: [
          { month: 0, collected: 20_000, cumulativeCollected: 20_000, cumulativeRate: 0.1333, collectedPrincipal: 20_000, collectedInterest: 0, collectedFees: 0 },
          { month: 1, collected: 80_000, cumulativeCollected: 100_000, cumulativeRate: 0.6667, collectedPrincipal: 80_000, collectedInterest: 0, collectedFees: 0 },
          { month: 2, collected: 0, cumulativeCollected: 100_000, cumulativeRate: 0.6667, collectedPrincipal: 0, collectedInterest: 0, collectedFees: 0 },
        ],
      },
      {
        cohort: '2026-02',
        currency: 'EUR',
        cases: 1,
        placed: 30_000,
        points: [
          { month: 0, collected: 5_000, cumulativeCollected: 5_000, cumulativeRate: 0.1667, collectedPrincipal: 5_000, collectedInterest: 0, collectedFees: 0 },
          { month: 1, collected: 0, cumulativeCollected: 5_000, cumulativeRate: 0.1667, collectedPrincipal: 0, collectedInterest: 0, collectedFees: 0 },
        ],
      },
      {
        cohort: '2026-02',
        currency: 'USD',
        cases: 1,
        placed: 200_000,
        points: [
          { month: 0, collected: 0, cumulativeCollected: 0, cumulativeRate: 0, collectedPrincipal: 0, collectedInterest: 0, collectedFees: 0 },
          { month: 1, collected: 40_000, cumulativeCollected: 40_000, cumulativeRate: 0.2, collectedPrincipal: 40_000, collectedInterest: 0, collectedFees: 0 },
        ],
      },
      { cohort: '2026-03', currency: 'USD', cases: 1, placed: 80_000, points: [{ month: 0, collected: 0, cumulativeCollected: 0, cumulativeRate: 0, collectedPrincipal: 0, collectedInterest: 0, collectedFees: 0 }] },
    ]);
    const csv = await get('/api/v1/reports/liquidation?asOf=2026-03-31&format=csv');
    expect(csv.text.split('\r\n').slice(0, 3)).toEqual([
      'cohort,currency,cases,placed,month,collected,cumulativeCollected,cumulativeRate,collectedPrincipal,collectedInterest,collectedFees',
      '2026-01,USD,2,150000,0,20000,20000,0.1333,20000,0,0',
      '2026-01,USD,2,150000,1,80000,100000,0.6667,80000,0,0',
    ]);
  });
});

describe('contact and outcome funnel', () => {
  it('counts attempts, right-party contacts, arrangements, disputes, opt-outs, holds and skips', async () => {
    const { body } = await get('/api/v1/reports/funnel?asOf=2026-03-31');
    expect(body).toEqual({
      report: 'funnel',
      asOf: '2026-03-31',
      from: null,
      // The email of 04-02 is after the as-of date.
      channels: [
        { channel: 'email', attempts: 3, sent: 1, delivered: 0, failed: 1 },
        { channel: 'letter', attempts: 1, sent: 1, delivered: 0, failed: 0 },
        { channel: 'sms', attempts: 1, sent: 1, delivered: 1, failed: 0 },
      ],
      // Four call tasks created by 03-31; three done by then, two of them reached the debtor.
      calls: { tasksCreated: 4, tasksWorked: 3, rightPartyContacts: 2 },
      replies: [
        { key: 'dispute', count: 1 },
        { key: 'stop', count: 1 },
      ],
      promises: { made: 2, kept: 1, broken: 1, keptRate: 0.5 },
      plans: { started: 1, completed: 0, broken: 0, completedRate: null },
      // A manager's approval of a settlement is not a second settlement.
      settlements: { made: 0, kept: 0, broken: 0 },
      disputes: 1,
      optOuts: [
        { key: 'email', count: 1 },
        { key: 'sms', count: 1 },
      ],
      holds: [
        { key: 'dispute', count: 1 },
        { key: 'hardship', count: 1 },
      ],
      skippedByRule: [
        { key: 'no recorded consent for SMS', count: 2 },
        { key: "balance N is below the step's minimum N", count: 1 },
      ],
      // Per strategy and arm: c1's link opened twice is one message opened.
      page: [
        { strategy: 'alpha', arm: 'champion', messagesSent: 3, linksOpened: 1, identityConfirmed: 1, paid: 0, plan: 0, promise: 1, dispute: 0, openRate: 0.3333, conversionRate: 1 },
        { strategy: 'beta', arm: null, messagesSent: 0, linksOpened: 1, identityConfirmed: 0, paid: 0, plan: 0, promise: 0, dispute: 0, openRate: null, conversionRate: 0 },
      ],
    });
  });

  it('limits the counts to a period', async () => {
    const { body } = await get('/api/v1/reports/funnel?asOf=2026-03-31&from=2026-03-01');
    expect(body.channels).toEqual([{ channel: 'email', attempts: 1, sent: 0, delivered: 0, failed: 0 }]);
    expect(body.calls).toEqual({ tasksCreated: 2, tasksWorked: 1, rightPartyContacts: 1 });
    expect(body.promises).toEqual({ made: 0, kept: 0, broken: 0, keptRate: null });
    expect(body.plans.started).toBe(1);
    expect(body.optOuts).toEqual([{ key: 'email', count: 1 }]);
    const csv = await get('/api/v1/reports/funnel?asOf=2026-03-31&from=2026-03-01&format=csv');
    expect(csv.text).toContain('calls,,tasksWorked,1');
    expect(csv.text).toContain('channels,email,attempts,1');
    // The page events of March: c4's opened link.
    expect(body.page).toEqual([expect.objectContaining({ strategy: 'beta', arm: null, linksOpened: 1, identityConfirmed: 0 })]);
    expect(csv.text).toContain('page,beta,linksOpened,1');
  });
});

describe('officer performance', () => {
  it('credits tasks, outcomes, kept arrangements and the money collected on them to each officer', async () => {
    const { body } = await get('/api/v1/reports/officers?asOf=2026-03-31');
    expect(body.rows).toEqual([
      {
        officer: 'officer:A',
        // t5 was completed after the as-of date.
        tasksWorked: 1,
        rightPartyContacts: 1,
        callOutcomes: { promise: 1 },
        outcomes: { dispute: 1, promise_to_pay: 1 },
        arrangementsMade: 1,
        arrangementsKept: 1,
        arrangementsBroken: 0,
        keptRate: 1,
        // c1's 30,000 of 02-15 came under A's promise; the 20,000 of 01-20 came before it.
        collectedOnArrangements: { USD: 30_000 },
      },
      {
        officer: 'officer:B',
        tasksWorked: 2,
        rightPartyContacts: 1,
        callOutcomes: { no_answer: 1, right_party_contact: 1 },
        outcomes: { payment_plan: 1, promise_to_pay: 1 },
        arrangementsMade: 2,
        arrangementsKept: 0,
        arrangementsBroken: 1,
        keptRate: 0,
        // c3's 40,000 came under B's plan; c2's 50,000 came after B's promise was broken.
        collectedOnArrangements: { USD: 40_000 },
      },
    ]);
    const csv = await get('/api/v1/reports/officers?asOf=2026-03-31&format=csv');
    expect(csv.text.split('\r\n').slice(0, 2)).toEqual([
      'officer,tasksWorked,rightPartyContacts,call:no_answer,call:promise,call:right_party_contact,outcome:dispute,outcome:payment_plan,outcome:promise_to_pay,arrangementsMade,arrangementsKept,arrangementsBroken,keptRate,collected:USD',
      'officer:A,1,1,0,1,0,1,0,1,1,1,0,1,30000',
    ]);
  });
});

describe('CSV cells', () => {
  it('neutralise formulas and quote separators', () => {
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@x')).toBe("'@x");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
  });
});
