import { collectionDisclosure, smsOptOutInstruction, unsubscribeLine, type TemplateLanguage } from './disclosures.js';
import { formatMoney } from './money.js';

/**
 * The built-in consolidated message (strategy `contact.consolidate`): one email or SMS listing
 * every account of the person due the same day, in English or Spanish, with the collection
 * disclosure, the channel's opt-out and the disclosures any listed debt needs (a time-barred
 * debt's, from domain/regulation/). A Mustache template like the others, so debtor data is
 * escaped in HTML and never read as template syntax.
 */

export type ConsolidatedMessageChannel = 'email' | 'sms';

/** Its name on the communication rows. */
export const consolidatedTemplateKey = 'consolidated';

const templates: Record<ConsolidatedMessageChannel, Record<TemplateLanguage, { subject?: string; body: string }>> = {
  email: {
    en: {
      subject: 'Your {{count}} accounts with {{creditor.name}}',
      body: [
        'Dear {{debtor.name}},',
        '{{count}} of your accounts with {{creditor.name}} are overdue:',
        '{{#accounts}}\n- {{externalId}}: {{balance}}\n{{/accounts}}',
        'Please pay them or contact us to arrange payment.',
        '{{#links.pay}}Pay, promise a date or choose a plan online: {{links.pay}}{{/links.pay}}',
        '{{#disclosures}}\n{{.}}\n\n{{/disclosures}}' + collectionDisclosure.en,
        unsubscribeLine.en,
      ].join('\n\n'),
    },
    es: {
      subject: 'Sus {{count}} cuentas con {{creditor.name}}',
      body: [
        'Estimado/a {{debtor.name}}:',
        '{{count}} de sus cuentas con {{creditor.name}} están vencidas:',
        '{{#accounts}}\n- {{externalId}}: {{balance}}\n{{/accounts}}',
        'Por favor páguelas o contáctenos para acordar el pago.',
        '{{#links.pay}}Pague, prometa una fecha o elija un plan en línea: {{links.pay}}{{/links.pay}}',
        '{{#disclosures}}\n{{.}}\n\n{{/disclosures}}' + collectionDisclosure.es,
        unsubscribeLine.es,
      ].join('\n\n'),
    },
  },
  sms: {
    en: { body: `{{debtor.name}}, {{count}} accounts with {{creditor.name}} are overdue: {{list}}. {{#disclosures}}{{.}} {{/disclosures}}${collectionDisclosure.en} ${smsOptOutInstruction.en.example}` },
    es: { body: `{{debtor.name}}, {{count}} cuentas con {{creditor.name}} están vencidas: {{list}}. {{#disclosures}}{{.}} {{/disclosures}}${collectionDisclosure.es} ${smsOptOutInstruction.es.example}` },
  },
};

export interface ConsolidatedLine {
  externalId: string;
  /** Minor units. */
  balance: number;
  currency: string;
}

/** The template of `channel` in `language`. */
export function consolidatedTemplate(channel: ConsolidatedMessageChannel, language: TemplateLanguage): { subject?: string; body: string } {
  return templates[channel][language];
}

/** The values the consolidated template renders with. */
export function consolidatedValues({
  debtorName,
  creditorName,
  accounts,
  disclosures,
  unsubscribeUrl,
  payUrl,
}: {
  debtorName: string;
  creditorName: string;
  accounts: ConsolidatedLine[];
  disclosures: string[];
  unsubscribeUrl?: string | undefined;
  /** The person's page (`/p/<token>` of the sending communication): it lists every account of the person. */
  payUrl?: string | undefined;
}) {
  const lines = accounts.map((account) => ({ externalId: account.externalId, balance: formatMoney(account.balance, account.currency) }));
  return {
    debtor: { name: debtorName },
    creditor: { name: creditorName },
    count: accounts.length,
    accounts: lines,
    list: lines.map((line) => `${line.externalId} ${line.balance}`).join(', '),
    disclosures,
    ...(unsubscribeUrl ? { unsubscribeUrl } : {}),
    ...(payUrl ? { links: { pay: payUrl } } : {}),
  };
}
