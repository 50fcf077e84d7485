import { describe, expect, it } from 'vitest';
import { classifyReply, ReplyIntent } from '../../domain/replies.js';

/** Each keyword as typed, shouted, whispered and with the punctuation people add. */
function spellings(keyword: string): string[] {
  const lower = keyword.toLowerCase();
  const capitalised = lower.charAt(0).toUpperCase() + lower.slice(1);
  return [keyword, lower, capitalised, `${keyword}.`, `${lower}!`, `${capitalised}!!!`, `  ${keyword}  `, `${lower}.\n`];
}
const table = (keywords: string[], intent: ReplyIntent) =>
  keywords.flatMap((keyword) => spellings(keyword).map((text) => [text, intent] as const));

describe('classifyReply', () => {
  it.each(table(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'CANCEL', 'REVOKE', 'OPTOUT'], ReplyIntent.stop))(
    'carrier opt-out keyword %j is stop',
    (text, intent) => expect(classifyReply(text)).toBe(intent),
  );

  it.each(table(['START', 'YES', 'UNSTOP'], ReplyIntent.start))('opt-in keyword %j is start', (text, intent) =>
    expect(classifyReply(text)).toBe(intent),
  );

  it.each(table(['HELP', 'INFO'], ReplyIntent.help))('help keyword %j is help', (text, intent) =>
    expect(classifyReply(text)).toBe(intent),
  );

  it.each<[string, ReplyIntent]>([
    // Opting out in words.
    ['Please opt me out... I mean opt out', ReplyIntent.stop],
    ['I want to OPT OUT of these', ReplyIntent.stop],
    ['opt-out', ReplyIntent.stop],
    ['Optout please', ReplyIntent.stop],
    ['Stop texting me', ReplyIntent.stop],
    ['please stop messaging me', ReplyIntent.stop],
    ['STOP CONTACTING ME', ReplyIntent.stop],
    // Keywords inside a sentence are not the keyword.
    ['I will stop by the office', ReplyIntent.other],
    ['yes I can pay friday', ReplyIntent.other],
    ['need help paying', ReplyIntent.other],
    ['it is the end of the month', ReplyIntent.other],
    // Phrases.
    ['I already paid this', ReplyIntent.paid],
    ['Paid last week', ReplyIntent.paid],
    ['I dispute this debt', ReplyIntent.dispute],
    ["I don't owe this", ReplyIntent.dispute],
    ['I dont owe anything', ReplyIntent.dispute],
    ['this is not mine', ReplyIntent.dispute],
    ['Call me after 5', ReplyIntent.callMe],
    ['can you give me a call', ReplyIntent.callMe],
    ['please phone me tomorrow', ReplyIntent.callMe],
    ['Wrong number', ReplyIntent.wrongNumber],
    ['you have the wrong person', ReplyIntent.wrongNumber],
    ['I lost my job last month', ReplyIntent.hardship],
    ["I can't afford this right now", ReplyIntent.hardship],
    ['I am unemployed', ReplyIntent.hardship],
    ['financial hardship', ReplyIntent.hardship],
    ['in the hospital', ReplyIntent.hardship],
    // Order of precedence when a message says several things.
    ['wrong number, I never paid anything', ReplyIntent.wrongNumber],
    ['I dispute it and already paid', ReplyIntent.dispute],
    ['Please opt out, already paid', ReplyIntent.stop],
    // Nothing recognisable goes to a person.
    ['Who is this?', ReplyIntent.other],
    ['ok', ReplyIntent.other],
    ['', ReplyIntent.other],
    ['   ', ReplyIntent.other],
    ['🙂', ReplyIntent.other],
  ])('%j is %s', (text, intent) => {
    expect(classifyReply(text)).toBe(intent);
  });
});
