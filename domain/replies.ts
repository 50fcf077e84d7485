/**
 * What a debtor's reply means. Carrier keywords are exact (the whole message, any case);
 * everything else is a best guess from words, and `other` goes to a person.
 */
export const ReplyIntent = {
  stop: 'stop',
  start: 'start',
  help: 'help',
  paid: 'paid',
  dispute: 'dispute',
  callMe: 'call_me',
  wrongNumber: 'wrong_number',
  hardship: 'hardship',
  other: 'other',
} as const;
export type ReplyIntent = (typeof ReplyIntent)[keyof typeof ReplyIntent];

const stopKeywords = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'CANCEL', 'REVOKE', 'OPTOUT'];
const startKeywords = ['START', 'YES', 'UNSTOP'];
const helpKeywords = ['HELP', 'INFO'];

const phrases: [ReplyIntent, RegExp][] = [
  [ReplyIntent.stop, /\bopt[\s-]?out\b|\bstop (texting|messaging|contacting)\b/i],
  [ReplyIntent.wrongNumber, /\bwrong (number|person)\b|\bnot (me|my debt)\b/i],
  [ReplyIntent.dispute, /\bdispute\b|\bnot? (owe|mine)\b|\bdon'?t owe\b/i],
  [ReplyIntent.paid, /\b(already )?paid\b/i],
  [ReplyIntent.hardship, /\b(lost my job|unemployed|hardship|can'?t afford|hospital)\b/i],
  [ReplyIntent.callMe, /\bcall me\b|\bgive me a call\b|\bphone me\b/i],
];

export function classifyReply(text: string): ReplyIntent {
  const keyword = text.trim().replace(/[.!]+$/, '').toUpperCase();
  if (stopKeywords.includes(keyword)) return ReplyIntent.stop;
  if (startKeywords.includes(keyword)) return ReplyIntent.start;
  if (helpKeywords.includes(keyword)) return ReplyIntent.help;
  for (const [intent, pattern] of phrases) if (pattern.test(text)) return intent;
  return ReplyIntent.other;
}
