import { describe, expect, it } from 'vitest';
import { collectionDisclosure } from '../../domain/disclosures.js';
import { itemize, paymentEntry, type LedgerEntry } from '../../domain/ledger/ledger.js';
import type { ValidationNoticeFacts } from '../../domain/ledger/validation-notice-content.js';
import { renderValidationNoticeEmail } from '../../records/validation-notice-email.js';
import { renderValidationNoticePdf } from '../../records/validation-notice-pdf.js';
import { pdfText } from '../../testing/pdf-text.js';

/**
 * The validation notice as the debtor gets it: the PDF letter read back from its bytes, and the
 * email's text and HTML, in English and Spanish, with the hand-worked itemization of
 * test/domain/ledger/validation-notice-content.test.ts ($1,025.00 on the itemization date, $14.79
 * interest, a $25.00 fee, $50.00 paid: $1,014.79 now) in the model form's order.
 */

const entries: LedgerEntry[] = [{ kind: 'itemization', id: 'open', on: '2026-01-15', postedBy: 'import', parts: { principal: 100_000, interest: 2_500, fees: 0 } }];
entries.push({ kind: 'interest', id: 'i1', on: '2026-02-14', postedBy: 'case', amount: 1_479, from: '2026-01-15' });
entries.push({ kind: 'fee', id: 'f1', on: '2026-02-20', postedBy: 'case', amount: 2_500, feeType: 'late' });
entries.push(paymentEntry(entries, { kind: 'payment', id: 'p1', on: '2026-03-01', postedBy: 'processor:stripe', amount: 5_000 }, 'fees_interest_principal'));

const facts = (language: 'en' | 'es'): ValidationNoticeFacts => ({
  language,
  collector: { name: 'Acme Recovery LLC', mailingAddress: 'PO Box 100, Austin, TX 78701' },
  consumer: { name: 'Ana Ruiz' },
  creditor: 'Northwind Bank',
  accountNumber: 'ACC-4321',
  currency: 'USD',
  itemization: itemize(entries),
  validationPeriodEnds: '2026-04-20',
});

/** The PDF's text as one line per text run, WinAnsi's en dash (0x96) read back as itself. */
async function letterText(language: 'en' | 'es'): Promise<string[]> {
  const pdf = await renderValidationNoticePdf({
    facts: facts(language),
    sender: ['Acme Recovery LLC', 'PO Box 100', 'Austin, TX 78701'],
    recipient: ['Ana Ruiz', '12 Elm St', 'Austin, TX 78702'],
    date: new Date('2026-03-10T15:00:00Z'),
    closing: [collectionDisclosure[language]],
  });
  return pdfText(pdf).replaceAll('\x96', '–').split('\n');
}

/** `needles` appear in `lines` in this order. */
function inOrder(lines: string[], needles: string[]): void {
  let at = -1;
  for (const needle of needles) {
    const found = lines.findIndex((line, index) => index > at && line.includes(needle));
    expect(found, `"${needle}" after line ${at}`).toBeGreaterThan(at);
    at = found;
  }
}

describe('the validation notice letter (PDF)', () => {
  it('lays out the English model form in order, the itemization amounts beside their labels', async () => {
    const lines = await letterText('en');
    inOrder(lines, [
      'Acme Recovery LLC',
      'March 10, 2026',
      'Ana Ruiz',
      'Notice of debt: validation information',
      'Acme Recovery LLC is a debt collector.',
      'Our information shows:',
      'You had an account from Northwind Bank with account number ACC-4321.',
      'As of January 15, 2026, you owed:',
      '$1,025.00',
      'You were charged this amount in interest:',
      '+ $14.79',
      'You were charged this amount in fees:',
      '+ $25.00',
      'You paid or were credited this amount toward the debt:',
      '– $50.00',
      'Total amount of the debt now:',
      '$1,014.79',
      'How can you dispute the debt?',
      'Call or write to us by April 20, 2026',
      'What else can you do?',
      'www.cfpb.gov/debt-collection',
      'How do you want to respond?',
      '[  ] I want you to send me the name and address of the original creditor.',
      'Mail this form to: Acme Recovery LLC, PO Box 100, Austin, TX 78701',
      collectionDisclosure.en,
    ]);
  });

  it('says it in Spanish, with the same figures', async () => {
    const lines = await letterText('es');
    inOrder(lines, [
      '10 de marzo de 2026',
      'Aviso de deuda: información de validación',
      'Acme Recovery LLC es un cobrador de deudas.',
      'Nuestra información indica:',
      'Al 15 de enero de 2026, usted debía:',
      '$1,025.00',
      'Se le cobró esta cantidad en intereses:',
      '+ $14.79',
      'Cantidad total de la deuda ahora:',
      '$1,014.79',
      '¿Cómo puede disputar la deuda?',
      'antes del 20 de abril de 2026',
      '¿Cómo desea responder?',
      collectionDisclosure.es,
    ]);
    expect(lines.join(' ')).not.toContain('How can you dispute');
  });
});

describe('the validation notice email', () => {
  it('carries the notice as text and HTML, the itemization as a table, and the unsubscribe link', () => {
    const url = 'https://collect.example.com/u/tok';
    const email = renderValidationNoticeEmail({ facts: facts('en'), closing: [collectionDisclosure.en], unsubscribeUrl: url });
    expect(email.subject).toBe('Notice of debt: validation information');
    const text = email.text.split('\n');
    inOrder(text, ['Acme Recovery LLC is a debt collector.', 'As of January 15, 2026, you owed: $1,025.00', 'Total amount of the debt now: $1,014.79', 'How can you dispute the debt?', 'How do you want to respond?', collectionDisclosure.en, url]);
    expect(email.html).toContain('<tr><td>Total amount of the debt now:</td><td style="text-align:right;white-space:nowrap">$1,014.79</td></tr>');
    expect(email.html).toContain(`<a href="${url}">${url}</a>`);
    expect(email.html.indexOf('<h2>How can you dispute the debt?</h2>')).toBeLessThan(email.html.indexOf('<h2>What else can you do?</h2>'));
  });

  it('is in Spanish for a Spanish speaker, and escapes what the account supplies', () => {
    const email = renderValidationNoticeEmail({ facts: { ...facts('es'), creditor: 'Banco <Norte> & Hijos' }, closing: [collectionDisclosure.es], unsubscribeUrl: 'https://x.example/u/t' });
    expect(email.subject).toBe('Aviso de deuda: información de validación');
    expect(email.text).toContain('Usted pagó o se le acreditó esta cantidad a la deuda: – $50.00');
    expect(email.text).toContain('Para dejar de recibir correos electrónicos nuestros, dese de baja: https://x.example/u/t');
    expect(email.html).toContain('Banco &lt;Norte&gt; &amp; Hijos');
    expect(email.html).not.toContain('<Norte>');
  });
});
