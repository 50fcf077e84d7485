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
}

/** The values a template can reference, built from an account at send time. */
export function templateValues(account: TemplateAccount, extra: { caseId: string }) {
  return {
    debtor: { name: account.debtor.name },
    balance: formatMoney(account.balance, account.currency),
    originalBalance: formatMoney(account.originalBalance, account.currency),
    currency: account.currency,
    account: { externalId: account.externalId },
    case: { id: extra.caseId },
  };
}

export const templateFields = [
  'debtor.name',
  'balance',
  'originalBalance',
  'currency',
  'account.externalId',
  'case.id',
] as const;

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
