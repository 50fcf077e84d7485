import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionDisclosure } from '../../domain/disclosures.js';
import { LinkPurpose, verifyLinkToken } from '../../domain/template-links.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { middayZone } from '../../testing/midday-zone.js';
import { debtorIdOf, everyCase, personStatus, saveStrategy } from './support.js';

/**
 * One person, three accounts, an email of each due the same day: with the strategy's
 * `contact.consolidate` on, one email lists the three accounts (one contact with the person, a
 * communication of each case); with it off, each account emails on its own. The real engine on
 * the time-skipping server, the real worker and an SMTP server on loopback.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping', api: true, worker: 'in-process', smtp: true });
});
afterAll(() => engine?.stop());

function emailStrategy(key: string, consolidate: boolean) {
  return {
    key,
    name: 'Person emails',
    templates: { remind: { channel: 'email', subject: 'Your account {{account.externalId}}', body: `{{debtor.name}}, {{balance}} is overdue on {{account.externalId}}. ${collectionDisclosure.en}\n\nUnsubscribe: {{unsubscribeUrl}}` } },
    steps: [{ id: 'remind', at: 'P1D', action: 'email', template: 'remind' }],
    contact: { validationNotice: { required: false }, ...(consolidate ? { consolidate: ['email'] } : {}) },
  };
}

/** Enrolls three accounts of one person (the same debtor.externalId) with an email address; answers their case ids. */
async function enrollThree(strategyKey: string, person: string, email: string): Promise<string[]> {
  const zone = middayZone(new Date(await engine.testEnv.currentTimeMs()));
  const caseIds: string[] = [];
  for (let n = 1; n <= 3; n++) {
    const response = await engine.call('POST', '/api/v1/accounts', {
      key: engine.keys.integration,
      body: { externalId: `${person}-ACC-${n}`, strategy: strategyKey, currency: 'USD', balance: 10_000 * n, debtor: { externalId: person, name: 'Ana Ruiz', email, timeZone: zone } },
    });
    expect(response.status, response.text).toBe(201);
    caseIds.push(String(response.body.caseId));
  }
  return caseIds;
}

const mailTo = (email: string) => engine.smtp.messages.filter((message) => message.envelope.to.includes(email));
const remindDone = (status: Awaited<ReturnType<typeof everyCase>>[number]) => status.history.some((event) => event.type === 'step_done' && event.stepId === 'remind');

describe('consolidated messages', () => {
  it('sends one email listing the three accounts when the strategy consolidates, three when it does not', async () => {
    await saveStrategy(engine, emailStrategy('person-consolidated', true));
    await saveStrategy(engine, emailStrategy('person-separate', false));
    const together = await enrollThree('person-consolidated', 'PERSON-ONE', 'one@example.com');
    const apart = await enrollThree('person-separate', 'PERSON-THREE', 'three@example.com');

    await engine.testEnv.sleep('25 hours');
    const statuses = await everyCase(engine, [...together, ...apart], remindDone, "every account's reminder");

    // Consolidated: one email at the SMTP server, listing the three accounts with the disclosure and the unsubscribe link.
    const [mail, ...more] = mailTo('one@example.com');
    expect(more).toHaveLength(0);
    const text = mail?.parsed.text ?? '';
    for (const n of [1, 2, 3]) expect(text).toContain(`PERSON-ONE-ACC-${n}`);
    expect(text).toContain(collectionDisclosure.en);
    expect(text).toMatch(/Unsubscribe: http\S+\/u\//);
    // The person's page link is the sending communication's: the page lists every account of the person.
    const payLink = /Pay, promise a date or choose a plan online: (\S+\/p\/(\S+))/.exec(text);
    const sentId = /^<([0-9a-f-]+)@/.exec(mail?.parsed.messageId ?? '')?.[1];
    expect(sentId).toBeDefined();
    expect(verifyLinkToken(engine.communications.linkSecret, LinkPurpose.pay, payLink?.[2] ?? '')).toBe(sentId);
    expect((await fetch(payLink?.[1] ?? '')).status).toBe(200);
    // Each case shows the communication: one row per case, the same provider message.
    const rows = await engine.db.communication.findMany({ where: { caseId: { in: together } }, select: { caseId: true, providerId: true, status: true, template: true } });
    expect(rows.map((row) => row.caseId).sort()).toEqual([...together].sort());
    expect(new Set(rows.map((row) => row.providerId)).size).toBe(1);
    expect(rows.every((row) => row.status === 'sent' && row.template === 'consolidated')).toBe(true);
    // One case sent it, the two others record their step as included.
    const included = statuses.filter((status) => together.includes(status.caseId)).flatMap((status) => status.history.filter((event) => event.type === 'step_done' && event.stepId === 'remind').map((event) => event.detail));
    expect(included.filter((detail) => detail.startsWith('consolidated email sent listing'))).toHaveLength(1);
    expect(included.filter((detail) => /^included in the consolidated email sent about PERSON-ONE-ACC-\d$/.test(detail))).toHaveLength(2);
    // The person's ledger counts one contact.
    const person = await personStatus(engine, await debtorIdOf(engine, together[0] ?? ''));
    expect(person.contacts.filter((contact) => contact.medium === 'email')).toHaveLength(1);

    // Without the setting: three emails, one per account, three contacts.
    expect(mailTo('three@example.com')).toHaveLength(3);
    const separate = await personStatus(engine, await debtorIdOf(engine, apart[0] ?? ''));
    expect(separate.contacts.filter((contact) => contact.medium === 'email')).toHaveLength(3);
  });
});
