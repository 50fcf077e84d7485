import { describe, expect, it } from 'vitest';
import type { ContactMedium } from '../../../domain/case-facts.js';
import { electronicOptOutProblem, optOutRequestedMedia } from '../../../domain/regulation/electronic-opt-out.js';
import { messageContentProblems } from '../../../domain/regulation/index.js';
import { facts } from './facts.js';

const smsMissing = 'a text message must say how to opt out, e.g. "Reply STOP to opt out" (12 CFR 1006.6(e))';
const emailMissing = 'an email must say how to opt out, e.g. an unsubscribe link or "reply STOP" (12 CFR 1006.6(e))';

describe('electronic messages carry an opt-out (12 CFR 1006.6(e))', () => {
  it.each<[string, ContactMedium, string, string | null]>([
    ['SMS with "Reply STOP to opt out"', 'sms', 'Dana, $500.00 is overdue. Reply STOP to opt out.', null],
    ['SMS with "Text STOP to end"', 'sms', 'Balance due. Text STOP to end messages.', null],
    ['SMS with lower-case "reply stop"', 'sms', 'Balance due, reply stop to unsubscribe', null],
    ['SMS without an instruction', 'sms', 'Dana, $500.00 is overdue. Call us today.', smsMissing],
    ['SMS that merely mentions stopping', 'sms', 'Stop by our office to pay.', smsMissing],
    ['email with an unsubscribe link', 'email', 'Hello Dana...\n\nUnsubscribe: https://example.com/u/123', null],
    ['email with "opt out"', 'email', 'To opt out of email, click here.', null],
    ['email with "reply STOP"', 'email', 'Reply STOP to stop receiving these emails.', null],
    ['email without an instruction', 'email', 'Hello Dana, your balance is overdue.', emailMissing],
    ['a letter needs none', 'letter', 'Dear Dana, your balance is overdue.', null],
  ])('%s', (_name, channel, body, expected) => {
    expect(electronicOptOutProblem({ channel, body })).toBe(expected);
    expect(messageContentProblems({ channel, body, facts: facts() })).toEqual(expected ? [expected] : []);
  });
});

describe('an opt-out by any reasonable means', () => {
  it.each<[string, string, ContactMedium, ContactMedium[]]>([
    ['STOP by text', 'STOP', 'sms', ['sms']],
    ['"Stop." by text', 'Stop.', 'sms', ['sms']],
    ['UNSUBSCRIBE by email', 'unsubscribe', 'email', ['email']],
    ['"please remove me from this list" by email', 'Please remove me from this list', 'email', ['email']],
    ['"stop texting me" by email', 'stop texting me!', 'email', ['sms']],
    ['"don\'t call me anymore" by text', "don't call me anymore", 'sms', ['phone']],
    ['"please stop emailing and calling me"', 'please stop emailing and calling me', 'sms', ['phone', 'email']],
    ['"don\'t call me, text me instead"', "don't call me, text me instead", 'sms', ['phone']],
    ['"don\'t text me at work but you can call"', "don't text me at work but you can call", 'email', ['sms']],
    ['"no more letters" by email', 'no more letters please', 'email', ['letter']],
    ['"leave me alone" on the channel it came on', 'leave me alone', 'sms', ['sms']],
    ['"stop contacting me" said on a call', 'stop contacting me', 'phone', ['phone']],
    ['"I don\'t owe this, stop calling"', "I don't owe this, stop calling", 'sms', ['phone']],
    ['"I never got a letter" is not an opt-out', 'I never got a letter', 'email', []],
    ['a question is not an opt-out', 'can I pay in two parts?', 'sms', []],
    ['"call me" is not an opt-out', 'call me tomorrow', 'sms', []],
  ])('%s', (_name, text, channel, expected) => {
    expect(optOutRequestedMedia(text, channel)).toEqual(expected);
  });
});
