import type { Components } from '../domain/ledger/components.js';
import { html, type SafeHtml } from './html.js';
import { money } from './i18n.js';
import type { Messages } from './messages-en.js';

/**
 * What the balance is made of, on the debtor's page: principal, interest and fees from the
 * case's ledger (`balanceParts` of its status), which add up to the balance shown above them.
 * Its own words here, so the page's catalogs stay the page's.
 */

const labels: Record<string, Record<keyof Components, string>> = {
  en: { principal: 'Principal', interest: 'Interest', fees: 'Fees' },
  es: { principal: 'Capital', interest: 'Intereses', fees: 'Cargos' },
};

/** The parts as `<dt>/<dd>` pairs for the itemization's list; nothing when the case did not say. */
export function balancePartsRows(t: Messages, account: { balanceParts?: Components | null; currency: string }): SafeHtml | '' {
  const parts = account.balanceParts;
  if (!parts) return '';
  const words = labels[t.lang] ?? labels.en!;
  return html`${(['principal', 'interest', 'fees'] as const).map((part) => html`<dt class="part">${words[part]}</dt><dd class="part" data-part="${part}">${money(t, parts[part], account.currency)}</dd>`)}`;
}
