import { expect } from 'vitest';
import { collectionDisclosure } from '../../domain/disclosures.js';
import type { Engine } from '../../testing/engine.js';
import { middayZone } from '../../testing/midday-zone.js';

/**
 * What the debtor page tests share: a strategy whose first step texts the person their page link,
 * people enrolled with the facts the identity check needs, and a small cookie-keeping client of
 * the page (the person's browser, without the browser).
 */

export function pageStrategy(key: string, extra: Record<string, unknown> = {}) {
  return {
    key,
    name: 'Debtor page',
    templates: {
      nudge: { channel: 'sms', body: `{{debtor.name}}, {{balance}} is overdue. Pay or set up a plan: {{links.pay}} ${collectionDisclosure.en} Reply STOP to opt out.` },
    },
    steps: [
      { id: 'nudge', at: 'PT0S', action: 'sms', template: 'nudge' },
      { id: 'call', at: 'P30D', action: 'call' },
    ],
    negotiation: { maxInstallments: 12, minInstallment: 1000, minDownPayment: 0, maxPromiseDays: 30, officerAuthority: { maxInstallments: 6 } },
    ...extra,
  };
}

export const facts = { postalCode: '60601', birthDate: '1980-04-23', accountLast4: '4321' };

/** Enrolls a person's account; `strategy` null leaves the choice to the segment rules; `account` adds enrollment fields (portfolio, ...). */
export async function enrollPerson(
  engine: Engine,
  strategy: string | null,
  externalId: string,
  debtor: { name: string; phone: string; language?: string; email?: string },
  balance = 125_000,
  account: Record<string, unknown> = {},
): Promise<string> {
  const response = await engine.call('POST', '/api/v1/accounts', {
    key: engine.keys.integration,
    body: {
      externalId,
      ...(strategy ? { strategy } : {}),
      ...account,
      currency: 'USD',
      balance,
      accountLast4: facts.accountLast4,
      // No postal address: its state's zone would join the contact window (a test at any hour must be able to text).
      debtor: { ...debtor, timeZone: middayZone(), smsConsent: true, birthDate: facts.birthDate, postalCode: `${facts.postalCode}-1234` },
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return String(response.body.caseId);
}

/** The page link in a text. */
export const linkIn = (text: string): string => {
  const match = /(http:\/\/\S+\/p\/[0-9a-f]{32}\.[0-9a-f]+)/.exec(text);
  if (!match?.[1]) throw new Error(`no page link in: ${text}`);
  return match[1];
};

export interface PageAnswer {
  status: number;
  text: string;
  location: string | null;
}

/** A person's browser, reduced to cookies and forms. */
export function pageClient() {
  const cookies = new Map<string, string>();
  async function request(url: string, form?: Record<string, string>): Promise<PageAnswer> {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { ...(cookies.size ? { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) cookies.set(name.trim(), value.join('='));
    }
    return { status: response.status, text: await response.text(), location: response.headers.get('location') };
  }
  /** Posts a form and, as a browser does, follows its 303 to the page. */
  async function submit(url: string, form: Record<string, string>): Promise<PageAnswer> {
    const answer = await request(url, form);
    return answer.status === 303 && answer.location ? request(new URL(answer.location, url).toString()) : answer;
  }
  return { get: (url: string) => request(url), post: (url: string, form: Record<string, string>) => request(url, form), submit, cookies };
}

/** A hidden input's value in a page (the first one named so). */
export function hiddenValue(page: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(page);
  if (!match) throw new Error(`no hidden ${name} in the page`);
  return match[1] ?? '';
}
