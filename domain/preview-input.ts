import { z } from 'zod';
import { channelIds } from './channels/index.js';
import { ZAccountEnrollment } from './account.js';
import { complianceAtEnrollment, contactPointsOf } from './account-contacts.js';
import type { PreviewAccount, PreviewEvent } from './preview.js';
import { contactOutcomes } from './step-conditions.js';
import { instantSchema } from './dates.js';

/**
 * What a preview is asked for, as the API and the CLI receive it: a sample account in the
 * enrollment shape (no external id or strategy needed), when the case starts, and optionally what
 * happens to it (payments, replies, contact changes, call outcomes) and which sends fail.
 */

const ZInstant = instantSchema();
const ZChannel = z.enum(channelIds);

export const ZPreviewAccount = ZAccountEnrollment.omit({ externalId: true, strategy: true }).extend({
  externalId: z.string().trim().min(1).max(100).optional(),
  strategy: z.string().min(1).max(64).optional(),
});
export type TPreviewAccount = z.infer<typeof ZPreviewAccount>;

export const ZPreviewEventInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('payment'), at: ZInstant, amount: z.number().int().positive() }).strict(),
  z.object({ type: z.literal('reply'), at: ZInstant, channel: ZChannel, intent: z.enum(['stop', 'start']) }).strict(),
  z
    .object({
      type: z.literal('contact'),
      at: ZInstant,
      channel: ZChannel,
      address: z.string().min(1).optional(),
      valid: z.boolean().optional(),
      optedOut: z.boolean().optional(),
      consent: z.boolean().optional(),
    })
    .strict(),
  z.object({ type: z.literal('outcome'), at: ZInstant, outcome: z.enum(contactOutcomes) }).strict(),
]);
export type TPreviewEventInput = z.infer<typeof ZPreviewEventInput>;

export const ZPreviewRequest = z
  .object({
    /** The version to preview; the active one (else the newest) when absent. Ignored by the CLI. */
    version: z.number().int().positive().optional(),
    account: ZPreviewAccount,
    /** When the case starts; now when absent. */
    startedAt: ZInstant.optional(),
    events: z.array(ZPreviewEventInput).max(500).default([]),
    /** Sends that fail for good, by step id, to see the fallbacks at work. */
    failures: z.record(z.string(), z.enum(['bounced', 'failed'])).default({}),
  })
  .strict();
export type TPreviewRequest = z.infer<typeof ZPreviewRequest>;

export function previewAccountOf(account: TPreviewAccount): PreviewAccount {
  return {
    balance: account.balance,
    daysPastDue: account.daysPastDue,
    timeZone: account.debtor.timeZone,
    contacts: contactPointsOf(account.debtor),
    compliance: complianceAtEnrollment(account.debtor),
  };
}

export function previewEventsOf(events: TPreviewEventInput[]): PreviewEvent[] {
  return events.map((event) => ({ ...event, at: Date.parse(event.at) }));
}
