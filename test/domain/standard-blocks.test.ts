import { describe, expect, it } from 'vitest';
import { collectionDisclosure, requiredBlockProblems, withStandardBlocks } from '../../domain/disclosures.js';

/** What an inline strategy template gains before it is sent: only the blocks it lacks. */
describe('withStandardBlocks', () => {
  it.each([
    ['email', 'Hello {{debtor.name}}.', 'en', `Hello {{debtor.name}}.\n\n${collectionDisclosure.en}\n\nUnsubscribe: {{unsubscribeUrl}}`],
    ['email', 'Hola {{debtor.name}}.\n', 'es', `Hola {{debtor.name}}.\n\n${collectionDisclosure.es}\n\nDarse de baja: {{unsubscribeUrl}}`],
    ['sms', '{{debtor.name}}, {{balance}} is overdue.', 'en', `{{debtor.name}}, {{balance}} is overdue. ${collectionDisclosure.en} Reply STOP to opt out.`],
    ['sms', '{{debtor.name}}: pague {{balance}}.', 'es', `{{debtor.name}}: pague {{balance}}. ${collectionDisclosure.es} Responda STOP para darse de baja.`],
    ['letter', 'Dear {{debtor.name}},', 'en', `Dear {{debtor.name}},\n\n${collectionDisclosure.en}`],
  ] as const)('a %s template without them gets them in its language (%#)', (channel, body, language, expected) => {
    const completed = withStandardBlocks(channel, body, language);
    expect(completed).toBe(expected);
    // What it becomes passes the rules a managed template is saved under.
    expect(requiredBlockProblems({ channel, language, body: completed })).toEqual([]);
  });

  it.each([
    ['email', `Hi.\n\n${collectionDisclosure.en}\n\nStop these emails: {{unsubscribeUrl}}`],
    ['sms', `Hi. ${collectionDisclosure.es} Reply STOP to opt out.`],
    ['letter', `Dear {{debtor.name}},\n\n${collectionDisclosure.en}`],
  ] as const)('a %s template that has them, in any of our languages, is left as written', (channel, body) => {
    expect(withStandardBlocks(channel, body, 'es')).toBe(body);
  });

  it('adds only what is missing: the disclosure to an SMS that has its opt-out', () => {
    expect(withStandardBlocks('sms', 'Pay now. Reply STOP to opt out.', 'en')).toBe(`Pay now. Reply STOP to opt out. ${collectionDisclosure.en}`);
  });
});
