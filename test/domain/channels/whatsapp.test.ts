import { describe, expect, it } from 'vitest';
import { channelUnavailable } from '../../../domain/case-facts.js';
import { inboundChannelOf } from '../../../domain/channels/index.js';
import { parseWhatsAppAddress, sessionWindowMs, sessionWindowRefusal, whatsappAddress } from '../../../domain/channels/whatsapp.js';
import { withStandardBlocks } from '../../../domain/disclosures.js';
import { optOutRequestedMedia } from '../../../domain/regulation/electronic-opt-out.js';
import { parseStrategyDefinition } from '../../../domain/strategy.js';
import { at, facts, hour, reachable } from '../regulation/facts.js';

/** The WhatsApp channel module: addresses, the 24-hour session window, opt-in, and its registration. */

const number = '+13125550100';

describe('WhatsApp addresses', () => {
  it.each<[string, string | null]>([
    ['whatsapp:+13125550100', number],
    ['WhatsApp:+13125550100', number],
    ['+13125550100', null], // an SMS sender
    ['whatsapp:13125550100', null], // not E.164
    ['whatsapp:+0123456789', null],
    ['whatsapp:', null],
    ['messenger:+13125550100', null],
  ])('%s is %s', (from, expected) => {
    expect(parseWhatsAppAddress(from)).toBe(expected);
  });

  it('prefixes a number once', () => {
    expect(whatsappAddress(number)).toBe('whatsapp:+13125550100');
    expect(whatsappAddress('whatsapp:+13125550100')).toBe('whatsapp:+13125550100');
  });

  it('routes a Twilio sender to its channel through the registry', () => {
    expect(inboundChannelOf('whatsapp:+13125550100')).toEqual({ channel: 'whatsapp', address: number });
    expect(inboundChannelOf('+13125550100')).toEqual({ channel: 'sms', address: number });
    expect(inboundChannelOf('someone@example.com')).toBeNull();
  });
});

describe('the 24-hour session window', () => {
  const now = at('2026-05-02T12:00:00Z');

  it.each<[string, number | null, string | undefined, boolean]>([
    ['free text a minute after the debtor wrote', now - 60_000, undefined, true],
    ['free text a moment before the window closes', now - sessionWindowMs + 1, undefined, true],
    ['free text exactly 24 hours after', now - sessionWindowMs, undefined, false],
    ['free text two days after', now - 48 * hour, undefined, false],
    ['free text to a debtor who never wrote', null, undefined, false],
    ['an approved template two days after', now - 48 * hour, 'payment_reminder', true],
    ['an approved template to a debtor who never wrote', null, 'payment_reminder', true],
  ])('%s: sent %s', (_name, lastInboundAt, approvedTemplate, allowed) => {
    const reason = sessionWindowRefusal({ lastInboundAt, now, approvedTemplate });
    if (allowed) expect(reason).toBeNull();
    else expect(reason).toMatch(/outside the WhatsApp 24-hour session window .*only an approved template/);
  });
});

describe('WhatsApp opt-in and opt-out', () => {
  const withWhatsApp = (overrides: object) => facts({ contacts: { ...facts().contacts, whatsapp: { ...reachable, address: number, ...overrides } } });

  it('needs an opt-in for the number it goes to, and SMS consent is not one', () => {
    expect(channelUnavailable(withWhatsApp({ consent: false }), 'whatsapp')).toBe('no recorded consent for WhatsApp');
    expect(channelUnavailable(withWhatsApp({ consent: true }), 'whatsapp')).toBeNull();
    const given = { at: at('2026-05-01T12:00:00Z'), source: 'enrollment', granted: true };
    expect(channelUnavailable(withWhatsApp({ consent: true, consentRecord: { ...given, address: '+13125550111' } }), 'whatsapp')).toBe(
      'no recorded consent for WhatsApp to the current number',
    );
    expect(channelUnavailable(facts(), 'whatsapp')).toBe('no WhatsApp number on file');
  });

  it('an opt-out of WhatsApp leaves SMS alone', () => {
    const optedOut = withWhatsApp({ consent: true, optedOut: true });
    expect(channelUnavailable(optedOut, 'whatsapp')).toBe('the debtor opted out of whatsapp');
    expect(channelUnavailable(optedOut, 'sms')).toBeNull();
    expect(optOutRequestedMedia('STOP', 'whatsapp')).toEqual(['whatsapp']);
    expect(optOutRequestedMedia('please stop the whatsapp messages', 'email')).toEqual(['whatsapp']);
  });

  it('inline templates get the "Reply STOP" instruction, in one paragraph', () => {
    expect(withStandardBlocks('whatsapp', 'This is a communication from a debt collector. Hello.', 'en')).toBe(
      'This is a communication from a debt collector. Hello. Reply STOP to opt out.',
    );
  });
});

describe('the strategy language', () => {
  const strategy = (template: object) => ({
    key: 'wa',
    name: 'WhatsApp',
    templates: { nudge: { channel: 'whatsapp', body: 'Hello {{debtor.name}}', ...template } },
    steps: [{ id: 'nudge', at: 'P0D', action: 'whatsapp', template: 'nudge' }],
  });

  it('takes a whatsapp step, with or without an approved template', () => {
    expect(parseStrategyDefinition(strategy({}))).toMatchObject({ ok: true });
    expect(parseStrategyDefinition(strategy({ approvedTemplate: 'payment_reminder' }))).toMatchObject({ ok: true });
  });

  it('refuses an approved template on a channel that has none', () => {
    const sms = { key: 'sms', name: 'SMS', templates: { n: { channel: 'sms', body: 'Hi', approvedTemplate: 'x' } }, steps: [{ id: 'n', at: 'P0D', action: 'sms', template: 'n' }] };
    expect(parseStrategyDefinition(sms)).toMatchObject({
      ok: false,
      problems: [{ path: ['templates', 'n', 'approvedTemplate'], message: 'SMS has no provider-approved templates; remove approvedTemplate' }],
    });
  });
});
