import type { Engine } from '../../../testing/engine.js';
import type { CaseStatus } from '../../../workflows/case-messages.js';
import { liveStatus } from '../support.js';
import { messageSteps, stepOfText, type ChaosCase } from './portfolio.js';

/**
 * What the soak checks once the kills are over: each due message sent exactly once (counted at
 * the SMTP server and the Twilio stand-in, per case and step), each payment applied once, every
 * case in its expected state within a bound, the read model equal to the live status, and no
 * history beyond its expected size.
 */

/** A step's signal landed this long before the step was due, at least, for the step to count as one that must not go out. */
const marginMs = 1_000;

/**
 * Workflow history events a case may have: its own course without faults is about 60-80 events
 * (kind `paid` the most); each fault it lives through adds a few (a workflow task timed out or
 * failed and retried: 3-4 events; an activity retried adds none). A projection that retries
 * without bound (issue 23) adds some twenty a minute and breaks this.
 */
export function historyBound(killsDuringLife: number): number {
  return 120 + 8 * killsDuringLife;
}

export interface CaseVerdict {
  externalId: string;
  kind: ChaosCase['kind'];
  caseId: string;
  duplicates: string[];
  /**
   * The same email (same Message-ID) accepted twice by the SMTP server: a worker killed between the
   * server's acceptance and the outbox's record, the at-least-once gap activities/outbox.ts names
   * (an SMTP server cannot be asked what it received). Counted apart from true duplicates.
   */
  redelivered: string[];
  lost: string[];
  unexpected: string[];
  unrecorded: string[];
  payments: string[];
  stuck: string | null;
  readModel: string | null;
  historyLength: number;
  historyBound: number;
  failures: string[];
}

/** What reached the sinks for one recipient and step: how many messages, and their email Message-IDs. */
export interface SinkStep {
  count: number;
  messageIds: Set<string>;
}

/** Messages per recipient and step at the sinks; messages without a step marker under `?`. */
export function sinkSteps(engine: Engine) {
  const counts = new Map<string, Map<string, SinkStep>>();
  const add = (to: string, step: string, messageId?: string) => {
    const steps = counts.get(to) ?? new Map<string, SinkStep>();
    const seen = steps.get(step) ?? { count: 0, messageIds: new Set<string>() };
    seen.count++;
    if (messageId) seen.messageIds.add(messageId);
    steps.set(step, seen);
    counts.set(to, steps);
  };
  for (const message of engine.smtp.messages) {
    const step = stepOfText(`${message.parsed.subject ?? ''}\n${message.parsed.text ?? ''}`) ?? '?';
    for (const to of message.envelope.to) add(to.toLowerCase(), step, message.parsed.messageId ?? undefined);
  }
  for (const message of engine.twilio.messages) add(message.form.To ?? '', stepOfText(message.form.Body ?? '') ?? '?');
  return counts;
}

const sentStatuses = new Set(['sent', 'delivered', 'undelivered']);

/** The state each kind must reach; undefined when it has, else what is missing. */
function expectedState(chaos: ChaosCase, live: CaseStatus, sentSteps: Set<string>): string | undefined {
  const emailsSent = ['e1', 'e2'].every((step) => sentSteps.has(step));
  switch (chaos.kind) {
    case 'plain':
      if (live.status !== 'open' || live.balance !== chaos.balance) return `open with ${chaos.balance}, is ${live.status} with ${live.balance}`;
      return messageSteps.every((step) => sentSteps.has(step.id)) ? undefined : `every step sent, has ${[...sentSteps].join(',')}`;
    case 'paid':
      return live.status === 'closed' && live.closeReason === 'paid' && live.balance === 0 ? undefined : `closed paid, is ${live.status} ${live.closeReason ?? ''} with ${live.balance}`;
    case 'stop':
      if (live.status !== 'open' || !live.channels.sms?.optedOut) return `open with SMS opted out, is ${live.status}, sms ${JSON.stringify(live.channels.sms)}`;
      return emailsSent ? undefined : `both emails sent, has ${[...sentSteps].join(',')}`;
    case 'promise':
      return live.status === 'open' && live.arrangement?.kind === 'promise' && live.arrangement.status === 'active' ? undefined : `an active promise, is ${live.status} ${JSON.stringify(live.arrangement?.kind ?? null)}`;
  }
}

/**
 * Waits until the case reaches its expected state and its read model agrees with the live
 * status (within `deadline`), then checks its messages, payments and history.
 */
export async function verifyCase(engine: Engine, chaos: ChaosCase, sinks: Map<string, Map<string, SinkStep>>, killTimes: number[], deadline: number): Promise<CaseVerdict> {
  const verdict: CaseVerdict = {
    externalId: chaos.externalId,
    kind: chaos.kind,
    caseId: chaos.caseId,
    duplicates: [],
    redelivered: [],
    lost: [],
    unexpected: [],
    unrecorded: [],
    payments: [],
    stuck: null,
    readModel: null,
    historyLength: 0,
    historyBound: 0,
    failures: [...chaos.failures],
  };
  if (!chaos.caseId) {
    verdict.stuck = 'never enrolled';
    return verdict;
  }
  const handle = engine.temporal.workflow.getHandle(chaos.caseId);

  let live: CaseStatus | undefined;
  let rows: { stepId: string; status: string; sentAt: Date | null }[] = [];
  for (;;) {
    let missing: string | undefined;
    try {
      live = await liveStatus(engine, chaos.caseId);
      rows = await engine.db.communication.findMany({ where: { caseId: chaos.caseId }, select: { stepId: true, status: true, sentAt: true } });
      const sent = new Set(rows.filter((row) => row.sentAt !== null || sentStatuses.has(row.status)).map((row) => row.stepId));
      missing = expectedState(chaos, live, sent);
      const row = await engine.db.case.findUniqueOrThrow({ where: { id: chaos.caseId } });
      const projected = row.status === live.status && row.balance === live.balance && row.closeReason === live.closeReason;
      verdict.readModel = projected ? null : `read model ${row.status}/${row.balance}/${row.closeReason ?? '-'} vs live ${live.status}/${live.balance}/${live.closeReason ?? '-'}`;
      if (!missing && projected) break;
    } catch (error) {
      missing = `unreadable: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() > deadline) {
      verdict.stuck = missing ?? null;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!live) return verdict;

  const description = await handle.describe();
  if (!['RUNNING', 'COMPLETED'].includes(description.status.name)) verdict.stuck = `workflow ${description.status.name}`;
  const startedAt = description.startTime.getTime();
  const endedAt = description.closeTime?.getTime() ?? Date.now();
  verdict.historyLength = description.historyLength;
  verdict.historyBound = historyBound(killTimes.filter((time) => time >= startedAt && time <= endedAt).length);

  // Messages: at most one per step at the sinks, one for each step the engine recorded as sent,
  // none for a step due after a payment that closed the case, a STOP (SMS) or a promise.
  const email = sinks.get(chaos.email.toLowerCase()) ?? new Map<string, SinkStep>();
  const sms = sinks.get(chaos.phone) ?? new Map<string, SinkStep>();
  const closingAction = chaos.kind === 'paid' ? chaos.actions.filter((action) => action.what === 'payment').at(-1) : chaos.actions.find((action) => action.what === 'promise');
  const stop = chaos.actions.find((action) => action.what === 'stop');
  for (const step of messageSteps) {
    const seen = (step.action === 'email' ? email : sms).get(step.id);
    const count = seen?.count ?? 0;
    const row = rows.find((each) => each.stepId === step.id);
    const recordedSent = row !== undefined && (row.sentAt !== null || sentStatuses.has(row.status));
    const dueAt = startedAt + step.seconds * 1000;
    const barredBy = [closingAction, step.action === 'sms' ? stop : undefined].find((action) => action && action.answeredAt + marginMs < dueAt);
    if (count > 1 && step.action === 'email' && seen?.messageIds.size === 1) verdict.redelivered.push(`${step.id} x${count}`);
    else if (count > 1) verdict.duplicates.push(`${step.id} x${count}`);
    if (count === 0 && (recordedSent || chaos.kind === 'plain' || (chaos.kind === 'stop' && step.action === 'email'))) verdict.lost.push(step.id);
    if (count > 0 && !recordedSent) verdict.unrecorded.push(`${step.id} (row ${row?.status ?? 'missing'})`);
    if (count > 0 && barredBy) verdict.unexpected.push(`${step.id} due ${dueAt - barredBy.answeredAt} ms after the ${barredBy.what}`);
  }
  for (const [step, { count }] of [...email, ...sms]) if (!messageSteps.some((each) => each.id === step)) verdict.unexpected.push(`unmarked or unknown step ${step} x${count}`);

  // Payments: each reference once in the case's own history and in the database, the balance their sum.
  const applied = live.history.filter((event) => event.type === 'payment_applied');
  const payments = await engine.db.payment.findMany({ where: { caseId: chaos.caseId }, select: { reference: true, amount: true } });
  const references = chaos.kind === 'paid' ? [`${chaos.externalId}-A`, `${chaos.externalId}-B`] : [];
  const appliedRefs = applied.map((event) => (event.data as { reference: string }).reference).sort();
  if (JSON.stringify(appliedRefs) !== JSON.stringify(references)) verdict.payments.push(`applied ${appliedRefs.join(',') || 'none'}, posted ${references.join(',') || 'none'}`);
  const storedRefs = payments.map((payment) => payment.reference).sort();
  if (JSON.stringify(storedRefs) !== JSON.stringify(references)) verdict.payments.push(`stored ${storedRefs.join(',') || 'none'}`);
  const paidIn = payments.reduce((sum, payment) => sum + payment.amount, 0);
  if (live.balance !== Math.max(0, chaos.balance - paidIn)) verdict.payments.push(`balance ${live.balance} after ${paidIn} paid of ${chaos.balance}`);
  return verdict;
}
