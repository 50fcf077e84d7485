import type { ChannelSpec } from './spec.js';

/** Letters: a PDF to the print-and-mail provider (activities/letter-sender.ts); returns are posted by officers. */
export const letter = {
  name: 'letter',
  nouns: ['letter', 'letters'],
  medium: 'letters',
  missing: 'no postal address on file',
  address: 'postal',
  words: /\b(letters?|writing to me|post)\b/i,
  timed: false,
  consent: false,
  optOut: null,
  template: { subject: 'optional', segments: false, html: false },
  sendActivity: 'sendLetter',
} as const satisfies ChannelSpec;
