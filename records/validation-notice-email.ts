import { validationNoticeSections, validationNoticeText, type ValidationNoticeFacts } from '../domain/ledger/validation-notice-content.js';
import { noticeTitle } from './validation-notice-pdf.js';

/**
 * The validation notice as an email (12 CFR 1006.34 delivered electronically, where the person
 * consented to it): a plain-text part that is the notice's text, and an HTML part with the same
 * sections in the model form's order, the itemization as a table. Closing paragraphs (the
 * collection disclosure, a state's disclosure) and the unsubscribe line (1006.6(e)) follow both.
 */

export interface ValidationNoticeEmail {
  subject: string;
  text: string;
  html: string;
}

const unsubscribeWords = { en: 'To stop receiving emails from us, unsubscribe:', es: 'Para dejar de recibir correos electrónicos nuestros, dese de baja:' } as const;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An itemization line `label: + $14.79` as a table row, the amount on the right. */
function itemizationRow(line: string): string {
  const match = /^(.*:)\s+([–+-]?\s?\S*\d[\d.,]*\S*)$/.exec(line);
  if (!match) return `<tr><td colspan="2">${escapeHtml(line)}</td></tr>`;
  return `<tr><td>${escapeHtml(match[1] ?? '')}</td><td style="text-align:right;white-space:nowrap">${escapeHtml(match[2] ?? '')}</td></tr>`;
}

export function renderValidationNoticeEmail({ facts, closing = [], unsubscribeUrl }: { facts: ValidationNoticeFacts; closing?: readonly string[]; unsubscribeUrl: string }): ValidationNoticeEmail {
  const title = noticeTitle[facts.language];
  const unsubscribe = `${unsubscribeWords[facts.language]} ${unsubscribeUrl}`;
  const text = [title, validationNoticeText(facts), ...closing, unsubscribe].join('\n\n');
  const sections = validationNoticeSections(facts).map((section, index) => {
    const heading = section.heading ? `<h2>${escapeHtml(section.heading)}</h2>` : '';
    const body = index === 1 ? `<table>${section.lines.map(itemizationRow).join('')}</table>` : section.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('');
    return `<section>${heading}${body}</section>`;
  });
  const link = escapeHtml(unsubscribeUrl);
  const html = [
    `<h1>${escapeHtml(title)}</h1>`,
    ...sections,
    ...closing.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    `<p>${escapeHtml(unsubscribeWords[facts.language])} <a href="${link}">${link}</a></p>`,
  ].join('\n');
  return { subject: title, text, html };
}
