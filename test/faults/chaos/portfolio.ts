import type { Engine } from '../../../testing/engine.js';
import { account, inDays, newTally, quickStrategy, retryingCall, type CallerTally } from '../support.js';

/**
 * The soak's portfolio: cases enrolled one after another on a strategy of seconds, each of one
 * kind that decides what the API tells it meanwhile (nothing, two payments, an SMS STOP, an
 * officer's promise), and what each case must look like at the end.
 */

/** The message steps, seconds apart; each template carries its step's marker so the sinks can tell them apart. */
export const messageSteps = [
  { id: 'e1', at: 'PT0S', action: 'email', seconds: 0 },
  { id: 's1', at: 'PT8S', action: 'sms', seconds: 8 },
  { id: 'e2', at: 'PT20S', action: 'email', seconds: 20 },
  { id: 's2', at: 'PT35S', action: 'sms', seconds: 35 },
] as const;
export type StepId = (typeof messageSteps)[number]['id'];
/** The last message step is due this long after the start; a case is settled some time after. */
export const lastStepSeconds = Math.max(...messageSteps.map((step) => step.seconds));

const marker = (stepId: string) => `[chaos-step ${stepId}]`;
/** The step a message at the SMTP server or the Twilio stand-in was sent for. */
export const stepOfText = (text: string): string | undefined => /\[chaos-step (\w+)\]/.exec(text)?.[1];

export const chaosStrategyKey = 'chaos';
export const probeStrategyKey = 'chaos-probe';

export function chaosStrategies() {
  const templates = Object.fromEntries(
    messageSteps.map((step) => [
      step.id,
      step.action === 'email'
        ? { channel: 'email', subject: `Overdue ${step.id}`, body: `Hello {{debtor.name}}, {{balance}} is overdue. ${marker(step.id)}` }
        : { channel: 'sms', body: `{{balance}} is overdue. ${marker(step.id)} Reply STOP to opt out.` },
    ]),
  );
  const steps = [...messageSteps.map(({ id, at, action }) => ({ id, at, action, template: id })), { id: 'call', at: 'P30D', action: 'call' }];
  return [
    { ...quickStrategy(chaosStrategyKey, steps), templates },
    // The probe's case only waits: its live status tells that every part answers again.
    { ...quickStrategy(probeStrategyKey, [{ id: 'call', at: 'P30D', action: 'call' }]), templates },
  ];
}

export const caseKinds = ['plain', 'paid', 'stop', 'promise'] as const;
export type CaseKind = (typeof caseKinds)[number];

const balance = 40_000;

/** What the API was told, with the instant its (final) answer came: a signal accepted by then is in the case's history. */
export interface Action {
  what: 'payment' | 'payment-repeat' | 'stop' | 'promise';
  answeredAt: number;
  status: number;
  /** An earlier attempt of the same call may have been applied (a dropped connection or a 503). */
  uncertain: boolean;
}

export interface ChaosCase {
  index: number;
  kind: CaseKind;
  externalId: string;
  email: string;
  phone: string;
  caseId: string;
  balance: number;
  actions: Action[];
  /** Why the script could not do its part (an answer it did not expect). */
  failures: string[];
}

/** Stops after `seconds` of the case's life, counted from its enrolment's answer. */
async function at(enrolledAt: number, seconds: number) {
  const wait = enrolledAt + seconds * 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** retryingCall with the caller's tally, telling whether an attempt before the answer may have landed. */
async function call(engine: Engine, tally: CallerTally, method: string, url: string, options: { body?: unknown; key?: string }) {
  const own = newTally();
  const answer = await retryingCall(engine, own, method, url, options, 180_000);
  tally.requests += own.requests;
  tally.retries += own.retries;
  tally.networkErrors += own.networkErrors;
  for (const [label, n] of own.serverErrors) tally.serverErrors.set(label, (tally.serverErrors.get(label) ?? 0) + n);
  return { ...answer, answeredAt: Date.now(), uncertain: own.networkErrors > 0 || own.serverErrors.size > 0 };
}

/**
 * Enrols case `index` of `kind` and plays its part: `paid` pays half at 12 s, repeats that
 * payment at 16 s and pays the rest at 24 s; `stop` replies STOP by SMS at 14 s; `promise` has an
 * officer record a promise to pay at 14 s (after s1, before e2).
 */
export async function playCase(engine: Engine, tally: CallerTally, index: number, kind: CaseKind, runId: string): Promise<ChaosCase> {
  const externalId = `CHAOS-${runId}-${index}`;
  const body = account(externalId, chaosStrategyKey, { balance, phone: `+1555${String(7_000_000 + index).padStart(7, '0')}` });
  const chaos: ChaosCase = { index, kind, externalId, email: body.debtor.email ?? '', phone: body.debtor.phone ?? '', caseId: '', balance, actions: [], failures: [] };
  const enrolled = await call(engine, tally, 'POST', '/api/v1/accounts', { body });
  if (enrolled.status !== 201 && enrolled.status !== 200) {
    chaos.failures.push(`enrolment answered ${enrolled.status} ${enrolled.text.slice(0, 200)}`);
    return chaos;
  }
  chaos.caseId = enrolled.body.caseId as string;
  const enrolledAt = enrolled.answeredAt;
  const act = async (what: Action['what'], seconds: number, url: string, options: { body?: unknown; key?: string }, accepted: (status: number, text: string, uncertain: boolean) => boolean) => {
    await at(enrolledAt, seconds);
    const answer = await call(engine, tally, 'POST', `/api/v1/cases/${chaos.caseId}${url}`, options);
    chaos.actions.push({ what, answeredAt: answer.answeredAt, status: answer.status, uncertain: answer.uncertain });
    if (!accepted(answer.status, answer.text, answer.uncertain)) chaos.failures.push(`${what} answered ${answer.status} ${answer.text.slice(0, 200)}`);
  };
  const accepted202 = (status: number) => status === 202;
  const payment = (reference: string, amount: number) => ({ body: { reference, amount }, key: engine.keys.integration });
  switch (kind) {
    case 'plain':
      break;
    case 'paid':
      await act('payment', 12, '/payments', payment(`${externalId}-A`, balance / 2), accepted202);
      await act('payment-repeat', 16, '/payments', payment(`${externalId}-A`, balance / 2), accepted202);
      await act('payment', 24, '/payments', payment(`${externalId}-B`, balance / 2), accepted202);
      break;
    case 'stop':
      await act('stop', 14, '/replies', { body: { channel: 'sms', text: 'STOP' }, key: engine.keys.integration }, accepted202);
      break;
    case 'promise':
      await act('promise', 14, '/outcomes', { body: { kind: 'promise_to_pay', amount: balance, dueDate: inDays(10) } }, (status, text, uncertain) =>
        // A repeat of a promise that landed before its answer was lost is refused as "already in place".
        status === 200 || (uncertain && status === 422 && text.includes('already in place')),
      );
      break;
  }
  return chaos;
}
