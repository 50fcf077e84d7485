import { describe, expect, it } from 'vitest';
import { consolidatedTemplate, consolidatedValues } from '../../domain/consolidated-template.js';
import { collectionDisclosure, templateLanguages } from '../../domain/disclosures.js';
import { sendContentProblems } from '../../domain/message-content.js';
import { requiredDisclosures } from '../../domain/regulation/index.js';
import { renderHtmlParagraphs, renderText } from '../../domain/templates.js';

/** The built-in consolidated message: every listed account, the disclosures the content rules demand, in English and Spanish. */

const accounts = [
  { externalId: 'ACC-1', balance: 10_000, currency: 'USD' },
  { externalId: 'ACC-2', balance: 25_050, currency: 'USD' },
];
const unsubscribeUrl = 'https://collections.example/u/token';
const timeBarredInCalifornia = { state: 'CA', timeBarred: true };
const disclosures = requiredDisclosures({ balance: 0, timeZone: 'UTC', contacts: {}, state: 'CA', flags: { timeBarred: { at: 0, source: 'case' } } });

describe('the consolidated template', () => {
  it.each(templateLanguages)('lists every account and passes the content rules of a time-barred debt by email and SMS (%s)', (language) => {
    expect(disclosures).toHaveLength(1);
    for (const channel of ['email', 'sms'] as const) {
      const template = consolidatedTemplate(channel, language);
      const text = renderText(template.body, consolidatedValues({ debtorName: 'Ana Ruiz', creditorName: 'Acme Bank', accounts, disclosures, unsubscribeUrl }));
      for (const account of accounts) expect(text).toContain(account.externalId);
      expect(text).toContain(collectionDisclosure[language]);
      expect(sendContentProblems({ channel, language, text, unsubscribeUrl: channel === 'email' ? unsubscribeUrl : undefined, facts: timeBarredInCalifornia })).toEqual([]);
      // Without the time-barred disclosure the same message may not go out.
      const bare = renderText(template.body, consolidatedValues({ debtorName: 'Ana Ruiz', creditorName: 'Acme Bank', accounts, disclosures: [], unsubscribeUrl }));
      expect(sendContentProblems({ channel, language, text: bare, unsubscribeUrl, facts: timeBarredInCalifornia }).map((problem) => problem.kind)).toContain('case');
    }
  });

  it('escapes the debtor name in HTML and never reads it as template syntax', () => {
    const values = consolidatedValues({ debtorName: '<b>{{creditor.name}}</b>', creditorName: 'Acme Bank', accounts, disclosures: [], unsubscribeUrl });
    const { body } = consolidatedTemplate('email', 'en');
    expect(renderText(body, values)).toContain('Dear <b>{{creditor.name}}</b>,');
    expect(renderHtmlParagraphs(body, values, unsubscribeUrl)).toContain('&lt;b&gt;');
  });
});
