import type { ContactBody, PreferencesBody } from '../../api/debtors';

/**
 * The debtor API's words (channels, places, sources, languages), checked against its OpenAPI
 * types: a value the API stops accepting fails `npm run console:check`. The API answers them as
 * plain strings, so the guards narrow what it sent back before it is sent again.
 */

export type Medium = ContactBody['channel'];
export type Place = NonNullable<ContactBody['place']>;
export type Source = ContactBody['source'];
export type Language = NonNullable<PreferencesBody['language']>;

export const media = ['email', 'sms', 'phone', 'letter', 'whatsapp'] as const satisfies readonly Medium[];
export const places = ['home', 'work', 'mobile', 'other'] as const satisfies readonly Place[];
/** Sources an officer can name; `enrollment` and `import` are the engine's own. */
export const officerSources = ['debtor', 'officer', 'skip_trace'] as const satisfies readonly Source[];
export const languages = { en: 'English', es: 'Spanish' } as const satisfies Record<Language, string>;

export const isMedium = (value: string): value is Medium => (media as readonly string[]).includes(value);
export const isPlace = (value: string): value is Place => (places as readonly string[]).includes(value);
export const isLanguage = (value: string): value is Language => value in languages;
