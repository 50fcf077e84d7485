import type { Components } from '../domain/ledger/components.js';
import { html, type SafeHtml } from './html.js';
import { money } from './i18n.js';
import type { Messages } from './messages-en.js';

/**
 * What the balance owed now is made of, from the case's ledger: principal, interest and fees (a
 * collector says what it collects; Regulation F's itemization). Rows of the itemization's list,
 * below "Balance now"; they add up to it.
 */
export function balancePartsRows(t: Messages, parts: Components, currency: string): SafeHtml {
  const m = (minor: number) => money(t, minor, currency);
  return html`<dt class="part">${t.accounts.parts.principal}</dt><dd>${m(parts.principal)}</dd><dt class="part">${t.accounts.parts.interest}</dt><dd>${m(parts.interest)}</dd><dt class="part">${t.accounts.parts.fees}</dt><dd>${m(parts.fees)}</dd>`;
}
