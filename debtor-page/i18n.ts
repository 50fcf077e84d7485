import { toMajorUnits } from '../domain/money.js';
import { en, type Messages } from './messages-en.js';
import { es } from './messages-es.js';

/** The page's languages; a person's language comes from the link's debtor, a switch, or English. */
export const pageLanguages = ['en', 'es'] as const;
export type PageLanguage = (typeof pageLanguages)[number];

const catalogs: Record<PageLanguage, Messages> = { en, es };

export const isPageLanguage = (value: unknown): value is PageLanguage => typeof value === 'string' && (pageLanguages as readonly string[]).includes(value);
export const messagesFor = (language: PageLanguage): Messages => catalogs[language];

/** Minor units in the person's locale: 1250.00 US$ reads "$1,250.00" in English and "US$1,250.00"-like in Spanish. */
export function money(t: Messages, minor: number, currency: string): string {
  return new Intl.NumberFormat(t.locale, { style: 'currency', currency }).format(toMajorUnits(minor, currency));
}

/** A calendar date (YYYY-MM-DD) as words: "December 24, 2026" / "24 de diciembre de 2026". */
export function day(t: Messages, isoDate: string): string {
  return new Intl.DateTimeFormat(t.locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`));
}

/** An instant on the person's clock. */
export function clock(t: Messages, at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat(t.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(at);
}
