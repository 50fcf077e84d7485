import type { TemplateLanguage } from '../disclosures.js';
import { validationNoticeSections, type ValidationNoticeFacts } from './validation-notice-content.js';

/**
 * The answer to a dispute or to a request for the original creditor (15 U.S.C. 1692g(b), 12 CFR
 * 1006.38(c)), in English or Spanish: who writes and about which debt, the itemization from the
 * ledger in the validation notice's own words (so the two cannot differ), where the documents
 * that show the debt are kept, and, for a request, the original creditor's name and address.
 * Pure: activities/validation-notice.ts renders it as a letter or an email.
 */

export interface VerificationFacts extends Omit<ValidationNoticeFacts, 'validationPeriodEnds'> {
  /** Where the documents that show the debt are kept (the case's file). */
  documentsReference: string;
  /** The original creditor's name and address, answering a request for it. */
  originalCreditor?: string;
}

const words: Record<TemplateLanguage, { subject: string; original: string; opening: (f: VerificationFacts) => string; documents: (reference: string) => string; creditor: (name: string) => string; resume: string }> = {
  en: {
    subject: 'Verification of your debt',
    original: 'Your request for the original creditor',
    opening: (f) => `${f.collector.name} is a debt collector. You wrote to us about the debt you owe to ${f.creditor}${f.accountNumber ? ` (account number ${f.accountNumber})` : ''}. This is our answer.`,
    documents: (reference) => `The documents that show you owe the debt are kept in our file ${reference}. Write to us and we will send you copies.`,
    creditor: (name) => `You asked for the name and address of the original creditor. The original creditor is: ${name}.`,
    resume: 'Having sent you this information, we may resume collection of the debt.',
  },
  es: {
    subject: 'Verificación de su deuda',
    original: 'Su solicitud del acreedor original',
    opening: (f) => `${f.collector.name} es un cobrador de deudas. Usted nos escribió sobre la deuda que le debe a ${f.creditor}${f.accountNumber ? ` (número de cuenta ${f.accountNumber})` : ''}. Esta es nuestra respuesta.`,
    documents: (reference) => `Los documentos que demuestran que usted debe la deuda se guardan en nuestro expediente ${reference}. Escríbanos y le enviaremos copias.`,
    creditor: (name) => `Usted pidió el nombre y la dirección del acreedor original. El acreedor original es: ${name}.`,
    resume: 'Habiéndole enviado esta información, podemos reanudar el cobro de la deuda.',
  },
};

/** The answer's subject and its paragraphs, in order. */
export function verificationContent(facts: VerificationFacts): { subject: string; paragraphs: string[] } {
  const said = words[facts.language];
  // The itemization section of the notice: the same words and figures.
  const itemization = validationNoticeSections({ ...facts, validationPeriodEnds: facts.itemization.itemizationDate })[1];
  return {
    subject: facts.originalCreditor ? said.original : said.subject,
    paragraphs: [
      said.opening(facts),
      ...(facts.originalCreditor ? [said.creditor(facts.originalCreditor)] : []),
      [itemization?.heading, ...(itemization?.lines ?? [])].filter((line) => line !== undefined).join('\n'),
      said.documents(facts.documentsReference),
      said.resume,
    ],
  };
}
