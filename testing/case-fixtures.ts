import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Activities } from '../activities/index.js';
import { createPersonActivities } from '../activities/person.js';
import type { SendMessageInput } from '../activities/messages.js';
import type { ProjectCaseInput } from '../activities/projection.js';
import { channelIds, channels, type ContactChannel } from '../domain/channels/index.js';
import type { TStrategyDefinition } from '../domain/strategy.js';
import type { CaseInput } from '../workflows/case-messages.js';

/** Inputs and recording activities for tests about the case workflow's own logic. */

export interface Sent {
  action: string;
  stepId: string;
  idempotencyKey?: string;
}

/** One send activity per message channel (domain/channels/), each made by `make`. */
function sendsOf<T>(make: (channel: ContactChannel) => T) {
  return Object.fromEntries(channelIds.map((channel) => [channels[channel].sendActivity, make(channel)])) as Record<(typeof channels)[ContactChannel]['sendActivity'], T>;
}

export function recordingActivities(
  options: {
    rejectSms?: boolean;
    /** The agency refuses every referral for good, saying this. */
    refuseAgency?: string;
    /** The "database" refuses every projection for good while `refusing` is set (a data error). */
    projection?: { refusing: boolean };
    /** Temporal, for cases that ask their person workflow (without it they decide alone). */
    temporal?: Client;
    /** Installment seqs whose autopay charge is declined (the others succeed). */
    autopayDeclines?: number[];
  } = {},
) {
  const sent: Sent[] = [];
  const projections: ProjectCaseInput[] = [];
  const tasks: { kind: string; reason: string }[] = [];
  const referrals: { stepId: string; agency: string }[] = [];
  const charges: { seq: number; idempotencyKey: string; amount: number }[] = [];
  const message = (action: string) => async (input: SendMessageInput) => {
    if (action === 'sms' && options.rejectSms) {
      throw ApplicationFailure.nonRetryable('sms recipient rejected (twilio 21211)', 'InvalidRecipient');
    }
    sent.push({ action, stepId: input.stepId, idempotencyKey: input.idempotencyKey });
    return { communicationId: randomUUID(), providerId: null, duplicate: false };
  };
  const activities: Activities = {
    ...sendsOf(message),
    ...createPersonActivities({ temporal: options.temporal }),
    async sendConsolidated(input) {
      sent.push({ action: input.channel, stepId: input.stepId, idempotencyKey: input.idempotencyKey });
      return { communicationId: randomUUID(), providerId: null, duplicate: false };
    },
    async sendVerification(input) {
      sent.push({ action: input.channel, stepId: input.stepId, idempotencyKey: input.idempotencyKey });
      return { communicationId: randomUUID(), providerId: null, duplicate: false };
    },
    async sendValidationNotice(input) {
      sent.push({ action: input.channel, stepId: input.stepId, idempotencyKey: input.idempotencyKey });
      return { communicationId: randomUUID(), providerId: null, duplicate: false };
    },
    async createCallTask(input) {
      sent.push({ action: 'call', stepId: input.stepId });
      return { taskId: randomUUID() };
    },
    async createTask(input) {
      tasks.push({ kind: input.kind, reason: input.reason });
      return { taskId: randomUUID() };
    },
    async referToAgency(input) {
      if (options.refuseAgency) throw ApplicationFailure.nonRetryable(options.refuseAgency, 'ReferralRefused');
      sent.push({ action: 'agency_referral', stepId: input.stepId });
      referrals.push({ stepId: input.stepId, agency: input.agency });
      return { placementId: randomUUID() };
    },
    async chargeAutopayInstallment(input) {
      // Autopay charges succeed, but for the installments the test says are declined.
      if (options.autopayDeclines?.includes(input.seq)) return { status: 'failed' as const, paymentId: `pi_declined_${input.seq}`, reason: 'Your card was declined.' };
      charges.push(input);
      return { status: 'succeeded' as const, paymentId: `pi_${input.idempotencyKey.replace(/[^A-Za-z0-9]/g, '')}`, amount: input.amount, currency: input.currency };
    },
    async projectCase(input) {
      if (options.projection?.refusing) throw ApplicationFailure.nonRetryable('the database refused the case\'s read model: invalid input syntax for type json', 'ProjectionRejected');
      projections.push(structuredClone(input));
    },
    // The case never asks a skip-trace vendor; its own workflow does (workflows/skip-trace.ts).
    async runSkipTrace({ requestId }) {
      return { requestId, status: 'failed', found: 0 };
    },
    async submitSkipTraceBatch() {
      return null;
    },
    async collectSkipTraceBatch() {
      return [];
    },
    // The case never delivers webhooks; its subscriptions' own workflow does (workflows/webhook-delivery.ts).
    async webhookDeliveryPolicy() {
      return { firstRetryMs: 1_000, maxRetryMs: 1_000, disableAfterMs: 60_000, pollMs: 60_000 };
    },
    async deliverWebhooks() {
      return { delivered: 0, more: false, gone: true };
    },
    async disableWebhookSubscription() {},
  };
  return { activities, sent, projections, tasks, referrals, charges };
}

export function caseFixture(startedAtMs: number, definition: TStrategyDefinition, overrides: { balance?: number; smsConsent?: boolean } = {}): CaseInput {
  const accountId = randomUUID();
  return {
    caseId: `case-${accountId}`,
    startedAt: new Date(startedAtMs).toISOString(),
    account: {
      accountId,
      externalId: `ACC-${accountId.slice(0, 8)}`,
      currency: 'USD',
      balance: overrides.balance ?? 125_000,
      daysPastDue: 30,
      debtor: { name: 'Ana Ruiz', timeZone: 'America/Chicago' },
      contacts: {
        email: { address: 'ana@example.com', valid: true, optedOut: false, consent: false },
        sms: { address: '+15555550100', valid: true, optedOut: false, consent: overrides.smsConsent ?? true },
        letter: { address: 'Ana Ruiz | 1 Main St | Chicago, IL 60601 | US', valid: true, optedOut: false, consent: false },
      },
    },
    strategy: { id: randomUUID(), key: definition.key, version: 1, definition },
  };
}

