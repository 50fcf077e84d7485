import { randomUUID } from 'node:crypto';
import twilio from 'twilio';
import type { CommunicationSettings } from '../../../activities/communication-settings.js';
import type { Db } from '../../../lib/db.js';
import { testCommunications } from '../../../testing/communications.js';

/**
 * What the activity-level communication tests share: case rows straight in the database, the
 * worker's communication settings, and webhook requests signed as Twilio signs them. The engine
 * itself comes from testing/engine.ts.
 */

export const { linkSecret, mailDomain, inboundEmailSecret } = testCommunications;

export function workerSettings(overrides: Partial<CommunicationSettings> = {}): CommunicationSettings {
  return {
    publicUrl: 'https://collections.example.test',
    statusCallbacks: true,
    linkSecret,
    smsMaxSegments: testCommunications.smsMaxSegments,
    creditorName: testCommunications.creditorName,
    letterSender: ['Collections Department', '100 Main Street', 'Springfield, IL 62701', 'US'],
    ...overrides,
  };
}

/** A case straight in the database (strategy, debtor with contacts, account), for activity-level tests. */
export async function seedCase(
  db: Db,
  { email = 'ana@example.com', phone = '+15555550100', smsConsent = true, name = 'Ana Ruiz' }: { email?: string; phone?: string; smsConsent?: boolean; name?: string } = {},
) {
  const accountId = randomUUID();
  const caseId = `case-${accountId}`;
  const strategy = await db.strategy.upsert({
    where: { key_version: { key: 'comms-test', version: 1 } },
    create: { key: 'comms-test', version: 1, name: 'Communications test', definition: {} },
    update: {},
  });
  const debtor = await db.debtor.create({
    data: {
      name,
      timeZone: 'UTC',
      contacts: { create: [{ channel: 'email', value: email }, { channel: 'sms', value: phone, consent: smsConsent }] },
    },
  });
  await db.account.create({ data: { id: accountId, externalId: `ACC-${accountId.slice(0, 8)}`, debtorId: debtor.id, currency: 'USD', originalBalance: 125_000, balance: 125_000 } });
  await db.case.create({ data: { id: caseId, accountId, strategyId: strategy.id, balance: 125_000, currency: 'USD' } });
  return { caseId, accountId, debtorId: debtor.id, externalId: `ACC-${accountId.slice(0, 8)}`, name, email, phone };
}

/** The account values a send activity gets. */
export function templateAccount(seeded: { externalId: string; name: string }) {
  return { externalId: seeded.externalId, currency: 'USD', balance: 125_000, originalBalance: 125_000, debtor: { name: seeded.name } };
}

/**
 * What a send activity gets for step `step` of a seeded case: the managed template named as the
 * step, the first run's idempotency key, and `to` (the seeded email or phone).
 */
export function stepInput(seeded: Awaited<ReturnType<typeof seedCase>>, step: string, to: string) {
  return {
    caseId: seeded.caseId,
    stepId: step,
    idempotencyKey: `${seeded.caseId}/run-1/${step}`,
    templateKey: step,
    templateRef: { key: step },
    to,
    account: templateAccount(seeded),
  };
}

/** The SMS step 'nudge' of a seeded case, to its phone, which has consent; `extra` overrides any field. */
export function smsInput(seeded: Awaited<ReturnType<typeof seedCase>>, extra: Record<string, unknown> = {}) {
  return { ...stepInput(seeded, 'nudge', seeded.phone), contact: { consent: true, optedOut: false }, ...extra };
}

/** Posts a form to a Twilio webhook, signed as Twilio signs it (over `signedUrl`, default the public URL of the same path). */
export async function postTwilio(
  baseUrl: string,
  pathAndQuery: string,
  form: Record<string, string>,
  { authToken, publicUrl, signature }: { authToken: string; publicUrl: string; signature?: string | null },
) {
  const expected = twilio.getExpectedTwilioSignature(authToken, `${publicUrl}${pathAndQuery}`, form);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const chosen = signature === undefined ? expected : signature;
  if (chosen !== null) headers['x-twilio-signature'] = chosen;
  const response = await fetch(`${baseUrl}${pathAndQuery}`, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') };
}
