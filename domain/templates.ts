import Mustache from 'mustache';
import { formatMoney } from './money.js';

/**
 * Message templates use Mustache (`{{debtor.name}}`). The fields a template may use are fixed
 * here, so a strategy that references a field no account has is refused when it is saved.
 */

export interface TemplateAccount {
  externalId: string;
  currency: string;
  /** Minor units. */
  balance: number;
  /** Minor units. */
  originalBalance: number;
  debtor: { name: string };
  /** Whom the debt is owed to; the sender's configured creditor when absent. */
  creditor?: { name: string };
}

/** Values known only when a message is sent, not from the account. */
export interface TemplateExtras {
  caseId: string;
  /** The one-click opt-out link of this very message (email). */
  unsubscribeUrl?: string;
  /** Creditor named when the account does not name one. */
  creditorName?: string;
  /** The personal, signed link of this very message to the debtor's page (`{{links.pay}}`). */
  payUrl?: string;
}

/** The values a template can reference, built from an account at send time. */
export function templateValues(account: TemplateAccount, extra: TemplateExtras) {
  const creditorName = account.creditor?.name ?? extra.creditorName;
  return {
    debtor: { name: account.debtor.name },
    balance: formatMoney(account.balance, account.currency),
    originalBalance: formatMoney(account.originalBalance, account.currency),
    currency: account.currency,
    account: { externalId: account.externalId },
    case: { id: extra.caseId },
    // Present only when known, so a value the sender lacks renders visibly empty in previews
    // rather than as a made-up default.
    ...(creditorName !== undefined ? { creditor: { name: creditorName } } : {}),
    ...(extra.unsubscribeUrl !== undefined ? { unsubscribeUrl: extra.unsubscribeUrl } : {}),
    ...(extra.payUrl !== undefined ? { links: { pay: extra.payUrl } } : {}),
  };
}

export const templateFields = [
  'debtor.name',
  'balance',
  'originalBalance',
  'currency',
  'account.externalId',
  'case.id',
  'creditor.name',
  'unsubscribeUrl',
  'links.pay',
] as const;
export type TemplateField = (typeof templateFields)[number];

/** Every field name the template uses (sections included), or `null` when it does not parse. */
export function templateFieldsUsed(text: string): Set<string> | null {
  let tokens: ReturnType<typeof Mustache.parse>;
  try {
    tokens = Mustache.parse(text);
  } catch {
    return null;
  }
  const used = new Set<string>();
  const visit = (list: unknown[]): void => {
    for (const [type, name, , , children] of list as [string, string, number, number, unknown[]?][]) {
      if (type === 'name' || type === '&' || type === '{' || type === '#' || type === '^') used.add(name);
      if (children) visit(children);
    }
  };
  visit(tokens);
  return used;
}

/** Names every `{{field}}` the template uses that no account provides, or a syntax error. */
export function templateFieldProblems(text: string): string[] {
  let tokens: ReturnType<typeof Mustache.parse>;
  try {
    tokens = Mustache.parse(text);
  } catch (error) {
    return [`template syntax: ${(error as Error).message}`];
  }
  const unknown = new Set<string>();
  const visit = (list: unknown[]): void => {
    for (const token of list as [string, string, number, number, unknown[]?][]) {
      const [type, name, , , children] = token;
      if (type === 'name' || type === '&' || type === '{' || type === '#' || type === '^') {
        if (!(templateFields as readonly string[]).includes(name)) unknown.add(name);
      }
      if (children) visit(children);
    }
  };
  visit(tokens);
  return [...unknown].map((name) => `unknown field {{${name}}}; known fields: ${templateFields.join(', ')}`);
}

/** Renders plain text: no HTML escaping, the text goes out as written. */
export function renderText(text: string, values: object): string {
  return Mustache.render(text, values, {}, { escape: (value: string) => value });
}

/** Renders for HTML: debtor-supplied values are escaped. */
export function renderHtml(text: string, values: object): string {
  return Mustache.render(text, values);
}

/**
 * A plain-text template as an HTML document body: rendered with escaping, blank lines become
 * paragraphs, and `link` (already a value we minted, e.g. the unsubscribe URL) becomes clickable.
 */
export function renderHtmlParagraphs(text: string, values: object, link?: string): string {
  let html = renderHtml(text, values);
  if (link) {
    // Mustache also escapes "/" and "="; an attribute needs only these, and the link reads better.
    const readable = link.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    html = html.split(renderHtml('{{link}}', { link })).join(`<a href="${readable}">${readable}</a>`);
  }
  return `<p>${html.replace(/\n\n+/g, '</p><p>').replace(/\n/g, '<br>')}</p>`;
}
