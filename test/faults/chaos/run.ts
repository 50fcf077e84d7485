// `npm run chaos -- --kills 100`: the soak of issue 23. Starts the engine's parts as separate
// processes (worker, API, Temporal dev server, PostgreSQL; the SMTP server and the Twilio stand-in
// in this process), enrols a portfolio of cases on a timeline of seconds while the API is told of
// payments, replies and officers' outcomes, and meanwhile kills a part at a seeded random moment
// and restarts it, `--kills` times. Then it checks every invariant (invariants.ts), prints the
// figures and exits 1 when one broke.
import { appendFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { percentiles } from '../../../bench/lib/stats.js';
import { randomStream } from '../../../domain/simulation/random.js';
import { startEngine, type Engine } from '../../../testing/engine.js';
import { eventually } from '../../../testing/eventually.js';
import { installWorkerRuntime } from '../../../worker/runtime.js';
import { account, eventTimeMs, expectOnlyExplained5xx, newTally, resultTakenAt } from '../support.js';
import { sinkSteps, verifyCase, type CaseVerdict } from './invariants.js';
import { killAndRestart, killTargets, recoveryAfter, sendingRows, type Kill, type KillTarget } from './kills.js';
import { caseKinds, chaosStrategies, lastStepSeconds, playCase, probeStrategyKey, type ChaosCase } from './portfolio.js';

const usage = `usage: npm run chaos -- [options]
  --kills N            parts killed and restarted, one after another (10)
  --seed N             seeds the kill schedule and the portfolio; the same seed repeats a run (1)
  --enroll-every-ms N  a new case about this often while the kills go on (2500)
  --report FILE        also append the figures to FILE as one JSON line
  --allow-email-redelivery
                       an email accepted twice with the same Message-ID (a worker killed between
                       the SMTP server's answer and the outbox's record) is counted, not a failure`;

const { values } = parseArgs({
  options: {
    kills: { type: 'string' },
    seed: { type: 'string' },
    'enroll-every-ms': { type: 'string' },
    report: { type: 'string' },
    'allow-email-redelivery': { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
function count(name: 'kills' | 'seed' | 'enroll-every-ms', fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, not "${raw}"`);
  return value;
}
const kills = count('kills', 10);
const seed = count('seed', 1);
const enrollEveryMs = count('enroll-every-ms', 2_500);

/** Between one part answering again and the next kill: 1-6 s, seeded. */
const pauseMs = (random: () => number) => 1_000 + Math.floor(random() * 5_000);
/** Kill weights: the worker most (a kill -9 mid-send is the case issue 23 measured), the others alike. */
const targetWeights: Record<KillTarget, number> = { worker: 0.4, api: 0.2, temporal: 0.2, postgres: 0.2 };

function pickTarget(random: () => number): KillTarget {
  let r = random();
  for (const target of killTargets) {
    r -= targetWeights[target];
    if (r < 0) return target;
  }
  return 'worker';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

installWorkerRuntime('warn');
const loadBefore = os.loadavg()[0]!.toFixed(2);
const began = Date.now();
console.log(`chaos: ${kills} kills, seed ${seed}, ${os.cpus().length} CPUs, load ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}, ${new Date().toISOString()}`);

const engine: Engine = await startEngine({ worker: 'child', api: 'process', smtp: true, twilio: true, strategies: chaosStrategies() });
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopping = true;
    console.error(`\nchaos: ${signal}: stopping the engine`);
    void engine.stop().finally(() => process.exit(130));
  });
}

const random = randomStream(seed);
const caseRandom = randomStream(seed * 7919 + 1);
const tally = newTally();
const history: Kill[] = [];
const cases: Promise<ChaosCase>[] = [];
let exitCode = 0;
try {
  const probeAnswer = await engine.call('POST', '/api/v1/accounts', { body: account(`CHAOS-PROBE-${seed}`, probeStrategyKey) });
  if (probeAnswer.status !== 201) throw new Error(`the probe case answered ${probeAnswer.status}: ${probeAnswer.text}`);
  const probeCaseId = probeAnswer.body.caseId as string;

  // The portfolio: a case of a seeded kind every enrollEveryMs or so, until the kills are over.
  let enrolling = true;
  const enrolment = (async () => {
    for (let index = 0; enrolling && !stopping; index++) {
      const kind = caseKinds[Math.floor(caseRandom() * caseKinds.length)]!;
      const played = playCase(engine, tally, index, kind, String(seed));
      played.catch(() => {});
      cases.push(played);
      await sleep(enrollEveryMs * (0.5 + caseRandom()));
    }
  })();
  // Some cases in flight before the first kill.
  await sleep(Math.min(10_000, (lastStepSeconds * 1000) / 2));

  for (let n = 1; n <= kills && !stopping; n++) {
    await sleep(pauseMs(random));
    const target = pickTarget(random);
    const midSend = target === 'worker' && random() < 0.5;
    const kill: Kill = { n, target, midSend, killedAt: 0, restartMs: null, recoveryMs: null, inFlight: [] };
    let release: (() => void) | undefined;
    try {
      if (midSend) {
        // Hold the next SMS's answer at the stand-in (it has the message), and kill while the row says `sending`.
        release = engine.twilio.holdNext();
        await eventually(async () => (await engine.db.communication.count({ where: { channel: 'sms', status: 'sending' } })) > 0, 'an SMS in flight', 20_000).catch(() => false);
      }
      if (target === 'worker') kill.inFlight = await sendingRows(engine);
      kill.killedAt = Date.now();
      await killAndRestart(engine, target);
      kill.restartMs = Date.now() - kill.killedAt;
    } catch (error) {
      kill.error = error instanceof Error ? error.message : String(error);
    } finally {
      release?.();
    }
    kill.recoveryMs = await recoveryAfter(engine, probeCaseId, kill.killedAt);
    history.push(kill);
    console.log(`chaos: kill ${n}/${kills} ${target}${midSend ? ' (mid-send)' : ''}: restarted after ${kill.restartMs ?? '-'} ms, answering again after ${kill.recoveryMs ?? 'never'} ms${kill.error ? `, error: ${kill.error}` : ''}`);
    if (kill.recoveryMs === null) break;
  }
  enrolling = false;
  await enrolment;
  const portfolio = await Promise.all(cases);
  const killTimes = history.map((kill) => kill.killedAt);

  // Every case settles within a bound: its last step due, plus two minutes.
  const settleBy = Date.now() + lastStepSeconds * 1000 + 120_000;
  const settled = new Map<string, CaseVerdict>();
  for (const chaos of portfolio) settled.set(chaos.externalId, await verifyCase(engine, chaos, sinkSteps(engine), killTimes, settleBy));
  // Room for a late duplicate to show up, then the counts that go into the verdicts.
  await sleep(3_000);
  const sinks = sinkSteps(engine);
  const verdicts: CaseVerdict[] = [];
  for (const chaos of portfolio) {
    const verdict = await verifyCase(engine, chaos, sinks, killTimes, 0);
    verdict.stuck = settled.get(chaos.externalId)?.stuck ?? verdict.stuck;
    verdicts.push(verdict);
  }

  const figures = await summarize(engine, history, portfolio, verdicts);
  let unexplained5xx: string | null = null;
  try {
    expectOnlyExplained5xx(tally);
  } catch (error) {
    unexplained5xx = error instanceof Error ? error.message : String(error);
  }
  const broken = {
    duplicates: figures.duplicates,
    emailsRedeliveredSameMessageId: values['allow-email-redelivery'] ? 0 : figures.emailsRedeliveredSameMessageId,
    lost: figures.lost,
    unexpectedSends: figures.unexpectedSends,
    unrecorded: figures.unrecorded,
    paymentErrors: figures.paymentErrors,
    stuck: figures.stuck,
    readModelMismatches: figures.readModelMismatches,
    historyOverBound: figures.historyOverBound,
    scriptFailures: figures.scriptFailures,
    notRecovered: history.filter((kill) => kill.recoveryMs === null).length,
    unexplained5xx: unexplained5xx ? 1 : 0,
  };
  const failed = Object.entries(broken).filter(([, n]) => n > 0);
  const line = { seed, kills: history.length, wallSeconds: Math.round((Date.now() - began) / 1000), loadAvg1mBeforeAfter: `${loadBefore}/${os.loadavg()[0]!.toFixed(2)}`, ...figures, callerRequests: tally.requests, callerRetries: tally.retries, serverErrors: Object.fromEntries(tally.serverErrors), networkErrors: tally.networkErrors, broken: Object.fromEntries(failed) };
  printFigures(line);
  console.log(`CHAOS-FIGURES ${JSON.stringify(line)}`);
  if (values.report) await appendFile(values.report, `${JSON.stringify(line)}\n`);
  if (failed.length > 0) {
    exitCode = 1;
    for (const verdict of verdicts.filter(isBroken)) console.log(`chaos: ${verdict.externalId} (${verdict.kind}, ${verdict.caseId}): ${JSON.stringify(Object.fromEntries(Object.entries(verdict).filter(([key, value]) => !['externalId', 'kind', 'caseId', 'historyLength', 'historyBound'].includes(key) && value !== null && !(Array.isArray(value) && value.length === 0))))}${verdict.historyLength > verdict.historyBound ? ` history ${verdict.historyLength} > ${verdict.historyBound}` : ''}`);
    if (unexplained5xx) console.log(`chaos: ${unexplained5xx}`);
    await explain(engine, portfolio.filter((chaos) => verdicts.some((verdict) => verdict.externalId === chaos.externalId && isBroken(verdict))), history);
    const logFile = path.join(os.tmpdir(), `chaos-${seed}-${Date.now()}.log`);
    await writeFile(logFile, engine.logs.join('\n'));
    console.log(`chaos: FAILED (${failed.map(([name, n]) => `${name} ${n}`).join(', ')}); the worker and API output: ${logFile}`);
  } else {
    console.log('chaos: every invariant held');
  }
} catch (error) {
  exitCode = 1;
  console.error('chaos: the run failed:', error);
} finally {
  await engine.stop();
}
process.exit(exitCode);

/** What a broken case's sends went through, with the kills around them: the evidence to read a failure by. */
async function explain(engine: Engine, broken: ChaosCase[], history: Kill[]) {
  const at = (time: number | Date) => new Date(time).toISOString().slice(11, 23);
  console.log(`chaos: kills: ${history.map((kill) => `${at(kill.killedAt)} ${kill.target}`).join(', ')}`);
  for (const chaos of broken.filter((each) => each.caseId).slice(0, 10)) {
    const rows = await engine.db.communication.findMany({ where: { caseId: chaos.caseId }, include: { events: { orderBy: { id: 'asc' } } }, orderBy: { createdAt: 'asc' } });
    for (const row of rows) console.log(`  ${chaos.externalId} ${row.stepId} ${row.channel} ${row.status}: ${row.events.map((event) => `${at(event.at)} ${event.status} (${event.detail ?? ''})`).join(' | ')}`);
    const emails = engine.smtp.messages.filter((message) => message.envelope.to.includes(chaos.email.toLowerCase()));
    for (const message of emails) console.log(`  ${chaos.externalId} smtp ${message.parsed.subject ?? ''} ${message.parsed.messageId ?? ''} ${message.parsed.date ? at(message.parsed.date) : ''}`);
    for (const message of engine.twilio.messages.filter((each) => each.form.To === chaos.phone)) console.log(`  ${chaos.externalId} twilio ${message.sid} ${at(message.receivedAt)}`);
    const events = (await engine.temporal.workflow.getHandle(chaos.caseId).fetchHistory()).events ?? [];
    for (const event of events) {
      const started = event.activityTaskStartedEventAttributes;
      const timedOut = event.activityTaskTimedOutEventAttributes;
      const wft = event.workflowTaskTimedOutEventAttributes ?? event.workflowTaskFailedEventAttributes;
      if (started || timedOut || wft) console.log(`  ${chaos.externalId} history ${String(event.eventId)} ${at(eventTimeMs(event))} ${started ? `activity started attempt ${started.attempt} lastFailure ${started.lastFailure?.message ?? '-'}` : timedOut ? 'activity timed out' : 'workflow task timed out / failed'}`);
    }
  }
}

function isBroken(verdict: CaseVerdict): boolean {
  return (
    verdict.duplicates.length + verdict.redelivered.length + verdict.lost.length + verdict.unexpected.length + verdict.unrecorded.length + verdict.payments.length + verdict.failures.length > 0 ||
    verdict.stuck !== null ||
    verdict.readModel !== null ||
    verdict.historyLength > verdict.historyBound
  );
}

/** The figures: kills by target, sends, what broke, and the time each part took to answer again. */
async function summarize(engine: Engine, history: Kill[], portfolio: ChaosCase[], verdicts: CaseVerdict[]) {
  const byTarget = Object.fromEntries(killTargets.map((target) => [target, history.filter((kill) => kill.target === target)]));
  const recovery = Object.fromEntries(
    killTargets.map((target) => {
      const times = byTarget[target]!.map((kill) => kill.recoveryMs).filter((ms): ms is number => ms !== null);
      const { p50, p95, max } = percentiles(times);
      return [target, { p50, p95, max }];
    }),
  );
  // A send a worker kill interrupted: from the kill until a new worker settled its row, and
  // until its case took the result (the workflow task after the activity completed).
  const interrupted: number[] = [];
  const movedOn: number[] = [];
  for (const kill of history.filter((each) => each.inFlight.length > 0)) {
    const events = await engine.db.communicationEvent.findMany({ where: { communicationId: { in: kill.inFlight }, status: { in: ['sent', 'reconciled'] }, at: { gte: new Date(kill.killedAt) } }, orderBy: { at: 'asc' } });
    const rows = await engine.db.communication.findMany({ where: { id: { in: kill.inFlight } }, select: { id: true, caseId: true } });
    for (const id of kill.inFlight) {
      const settled = events.find((event) => event.communicationId === id);
      if (!settled) continue;
      interrupted.push(settled.at.getTime() - kill.killedAt);
      const caseId = rows.find((row) => row.id === id)?.caseId;
      const taken = caseId ? await resultTakenAt(engine, caseId, settled.at.getTime() - 1_000) : null;
      if (taken !== null) movedOn.push(taken - kill.killedAt);
    }
  }
  const sum = (pick: (verdict: CaseVerdict) => number) => verdicts.reduce((total, verdict) => total + pick(verdict), 0);
  return {
    cases: portfolio.length,
    casesByKind: Object.fromEntries(caseKinds.map((kind) => [kind, portfolio.filter((each) => each.kind === kind).length])),
    killsByTarget: Object.fromEntries(killTargets.map((target) => [target, byTarget[target]!.length])),
    killsMidSend: history.filter((kill) => kill.midSend).length,
    emailsAtSmtp: engine.smtp.messages.length,
    smsAtTwilio: engine.twilio.messages.length,
    paymentsPosted: portfolio.reduce((total, each) => total + each.actions.filter((action) => action.what.startsWith('payment')).length, 0),
    paymentRows: await engine.db.payment.count(),
    duplicates: sum((verdict) => verdict.duplicates.length),
    emailsRedeliveredSameMessageId: sum((verdict) => verdict.redelivered.length),
    lost: sum((verdict) => verdict.lost.length),
    unexpectedSends: sum((verdict) => verdict.unexpected.length),
    unrecorded: sum((verdict) => verdict.unrecorded.length),
    paymentErrors: sum((verdict) => verdict.payments.length),
    stuck: verdicts.filter((verdict) => verdict.stuck !== null).length,
    readModelMismatches: verdicts.filter((verdict) => verdict.readModel !== null).length,
    historyOverBound: verdicts.filter((verdict) => verdict.historyLength > verdict.historyBound).length,
    historyMax: Math.max(0, ...verdicts.map((verdict) => verdict.historyLength)),
    scriptFailures: sum((verdict) => verdict.failures.length),
    recoveryMs: recovery,
    interruptedSends: interrupted.length,
    interruptedSendRecoveryMs: (({ p50, p95, max }) => ({ p50, p95, max }))(percentiles(interrupted)),
    interruptedCaseMovedOnMs: (({ p50, p95, max }) => ({ p50, p95, max }))(percentiles(movedOn)),
    restartMs: Object.fromEntries(
      killTargets.map((target) => {
        const { p50, max } = percentiles(byTarget[target]!.map((kill) => kill.restartMs).filter((ms): ms is number => ms !== null));
        return [target, { p50, max }];
      }),
    ),
  };
}

function printFigures(line: Record<string, unknown>) {
  const show = (value: unknown) => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));
  for (const [key, value] of Object.entries(line)) console.log(`  ${key.padEnd(28)} ${show(value)}`);
}
