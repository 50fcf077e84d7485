import { describe, expect, it } from 'vitest';
import { itemize, paymentEntry, type LedgerEntry } from '../../../domain/ledger/ledger.js';
import { validationNoticeSections, validationNoticeText, type ValidationNoticeFacts } from '../../../domain/ledger/validation-notice-content.js';

/**
 * The validation notice's fields against examples worked by hand: a card debt itemized on the
 * charge-off date at $1,025.00, $14.79 of interest and a $25.00 late fee since, a $50.00 payment
 * (fees first: $25.00 fees, $25.00 interest, so the interest owed goes to $0 and principal is
 * untouched), so $1,014.79 now: 1,025.00 + 14.79 + 25.00 − 50.00.
 */

const entries: LedgerEntry[] = [{ kind: 'itemization', id: 'open', on: '2026-01-15', postedBy: 'import', parts: { principal: 100_000, interest: 2_500, fees: 0 } }];
entries.push({ kind: 'interest', id: 'i1', on: '2026-02-14', postedBy: 'case', amount: 1_479, from: '2026-01-15' });
entries.push({ kind: 'fee', id: 'f1', on: '2026-02-20', postedBy: 'case', amount: 2_500, feeType: 'late' });
entries.push(paymentEntry(entries, { kind: 'payment', id: 'p1', on: '2026-03-01', postedBy: 'processor:stripe', amount: 5_000 }, 'fees_interest_principal'));

const facts = (language: 'en' | 'es'): ValidationNoticeFacts => ({
  language,
  collector: { name: 'Acme Recovery LLC', mailingAddress: 'PO Box 100, Austin, TX 78701', phone: '(800) 555-0100', disputeUrl: 'https://pay.example.com/p/x' },
  consumer: { name: 'Ana Ruiz' },
  creditor: 'Northwind Bank',
  accountNumber: '****4321',
  currency: 'USD',
  itemization: itemize(entries),
  validationPeriodEnds: '2026-04-20',
});

describe('the validation notice', () => {
  it('itemizes in English, in the model form order, with figures that add up', () => {
    const sections = validationNoticeSections(facts('en'));
    expect(sections.map((section) => section.heading)).toEqual([undefined, 'Our information shows:', 'How can you dispute the debt?', 'What else can you do?', 'How do you want to respond?']);
    expect(sections[0]?.lines[0]).toBe('Acme Recovery LLC is a debt collector. We are trying to collect a debt that you owe to Northwind Bank. We will use any information you give us to help collect the debt.');
    expect(sections[1]?.lines).toEqual([
      'You had an account from Northwind Bank with account number ****4321.',
      'As of January 15, 2026, you owed: $1,025.00',
      'Between January 15, 2026 and today:',
      'You were charged this amount in interest: + $14.79',
      'You were charged this amount in fees: + $25.00',
      'You paid or were credited this amount toward the debt: – $50.00',
      'Total amount of the debt now: $1,014.79',
    ]);
    const text = validationNoticeText(facts('en'));
    expect(text).toContain('Call or write to us by April 20, 2026, to dispute all or part of the debt.');
    expect(text).toContain('If you write by April 20, 2026, we must stop collection until we send you that information.');
    expect(text).toContain('www.cfpb.gov/debt-collection');
    expect(text).toContain('We accept disputes electronically at https://pay.example.com/p/x.');
    expect(text).toContain('Póngase en contacto con nosotros para solicitar una copia de este formulario en español.');
  });

  it('itemizes in Spanish with the same figures', () => {
    const sections = validationNoticeSections(facts('es'));
    expect(sections[1]?.lines).toEqual([
      'Usted tenía una cuenta de Northwind Bank con el número de cuenta ****4321.',
      'Al 15 de enero de 2026, usted debía: $1,025.00',
      'Entre el 15 de enero de 2026 y hoy:',
      'Se le cobró esta cantidad en intereses: + $14.79',
      'Se le cobró esta cantidad en cargos: + $25.00',
      'Usted pagó o se le acreditó esta cantidad a la deuda: – $50.00',
      'Cantidad total de la deuda ahora: $1,014.79',
    ]);
    expect(validationNoticeText(facts('es'))).toContain('Llámenos o escríbanos antes del 20 de abril de 2026 para disputar toda o parte de la deuda.');
  });

  it('names the creditor of the itemization date when the debt was sold since, and shows a reversal that outweighs the payments as an addition', () => {
    const reversed: LedgerEntry[] = [...entries, { kind: 'reversal', id: 'r1', on: '2026-03-05', postedBy: 'processor:stripe', of: 'p1' }, { kind: 'adjustment', id: 'a1', on: '2026-03-06', postedBy: 'officer-1', amount: 1_000, reason: 'returned check fee agreed as principal' }];
    const lines = validationNoticeSections({ ...facts('en'), creditor: 'Debt Buyer LLC', itemizationCreditor: 'Northwind Bank', itemization: itemize(reversed) })[1]?.lines;
    expect(lines).toContain('You paid or were credited this amount toward the debt: + $10.00');
    expect(lines).toContain('Total amount of the debt now: $1,074.79');
    expect(validationNoticeSections({ ...facts('en'), creditor: 'Debt Buyer LLC', itemizationCreditor: 'Northwind Bank' })[0]?.lines[0]).toContain('a debt that you owe to Debt Buyer LLC');
  });
});
