import { describe, expect, it } from 'vitest';
import { identityHash, identityHashesOf, identityKey, identityMatches, IdentityFact, lastNameMatches, normalizePostalCode } from '../../api/services/debtor-page/identity-facts.js';
import { parseAmount } from '../../api/services/debtor-page/actions.js';
import { csrfMatches, csrfToken, signSession, verifySession } from '../../api/services/debtor-page/session.js';
import { html } from '../../debtor-page/html.js';
import { ZNegotiationPolicy } from '../../domain/negotiation-policy.js';
import { validateOutcome } from '../../domain/outcomes.js';
import { planOffers } from '../../domain/plan-offers.js';
import { identityMethodsFor, ZSelfServicePolicy } from '../../domain/self-service-policy.js';
import { LinkPurpose, payLinkUrl, signLinkToken, verifyLinkToken } from '../../domain/template-links.js';
import { renderTemplate } from '../../domain/template-definition.js';
import { templateFieldProblems } from '../../domain/templates.js';

/** The debtor page's pure parts: links, identity facts, sessions, escaping, plan offers, amounts. */

const secret = 'unit-link-secret-0123456789abcdef0123456789';
const communicationId = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('pay links', () => {
  it('are bound to their communication and purpose, and refuse any change', () => {
    const url = payLinkUrl('https://pay.example.com', secret, communicationId);
    const token = url.split('/p/')[1]!;
    expect(verifyLinkToken(secret, LinkPurpose.pay, token)).toBe(communicationId);
    // An unsubscribe token of the same message does not open the page, nor does a pay token unsubscribe.
    expect(verifyLinkToken(secret, LinkPurpose.pay, signLinkToken(secret, LinkPurpose.unsubscribe, communicationId))).toBeNull();
    expect(verifyLinkToken(secret, LinkPurpose.unsubscribe, token)).toBeNull();
    expect(verifyLinkToken('another-secret-0123456789abcdef0123456789', LinkPurpose.pay, token)).toBeNull();
    // Another message's id with this signature.
    expect(verifyLinkToken(secret, LinkPurpose.pay, `1${token.slice(1)}`)).toBeNull();
    expect(verifyLinkToken(secret, LinkPurpose.pay, token.slice(0, -1))).toBeNull();
  });

  it('are a template field: accepted by validation, rendered in previews at their real length', () => {
    expect(templateFieldProblems('Pay here: {{links.pay}}')).toEqual([]);
    expect(templateFieldProblems('{{links.other}}')).toHaveLength(1);
    expect(renderTemplate({ channel: 'sms', body: 'Pay: {{links.pay}}' }).text).toMatch(/^Pay: https:\/\/\S+\/p\/[0-9a-f]{32}\.[0-9a-f]{20}$/);
  });
});

describe('identity facts', () => {
  const key = identityKey(secret);
  it('are stored as keyed hashes of the normalized value, never the value', () => {
    const hashes = identityHashesOf(key, { postalCode: '60601-1234', birthDate: '1980-04-23', accountLast4: '4321' });
    expect(JSON.stringify(hashes)).not.toMatch(/60601|1980|4321/);
    expect(identityMatches(key, IdentityFact.postalCode, ' 60601 ', hashes.postalCodeHash)).toBe(true);
    expect(identityMatches(key, IdentityFact.postalCode, '60602', hashes.postalCodeHash)).toBe(false);
    expect(identityMatches(key, IdentityFact.birthDate, '1980-4-23', hashes.birthDateHash)).toBe(true);
    expect(identityMatches(key, IdentityFact.birthDate, '1980-04-24', hashes.birthDateHash)).toBe(false);
    expect(identityMatches(key, IdentityFact.last4, '4321', hashes.last4Hash)).toBe(true);
    expect(identityMatches(key, IdentityFact.last4, '432', hashes.last4Hash)).toBe(false);
    // Another key (another deployment's secret) cannot test guesses against these hashes.
    expect(identityMatches(identityKey('another-secret-0123456789abcdef0123456789'), IdentityFact.last4, '4321', hashes.last4Hash)).toBe(false);
    expect(identityMatches(key, IdentityFact.last4, '4321', null)).toBe(false);
    expect(identityHash(key, IdentityFact.birthDate, 'yesterday')).toBeNull();
    expect(normalizePostalCode('sw1a 1aa')).toBe('SW1A1AA');
  });

  it('compare last names as people write them', () => {
    expect(lastNameMatches('Ana María Ruiz', 'ruiz')).toBe(true);
    expect(lastNameMatches('José  O’Neil', 'ONEIL')).toBe(true);
    expect(lastNameMatches('Ana Ruiz Díaz', 'Ruiz Diaz')).toBe(true);
    expect(lastNameMatches('Ana Ruiz', 'Ana')).toBe(false);
    expect(lastNameMatches('Ana Ruiz', '')).toBe(false);
  });
});

describe('sessions', () => {
  const session = { debtorId: 'd1', communicationId, expiresAt: Date.now() + 60_000 };
  it('hold their person until they end, and refuse forgery', () => {
    const value = signSession(secret, session);
    expect(verifySession(secret, value)).toEqual(session);
    expect(verifySession(secret, value.replace('d1', 'd2'))).toBeNull();
    expect(verifySession(secret, value, session.expiresAt + 1)).toBeNull();
    expect(verifySession('another-secret-0123456789abcdef0123456789', value)).toBeNull();
    expect(verifySession(secret, undefined)).toBeNull();
  });
  it('bind their forms: a token from another session does not pass', () => {
    const value = signSession(secret, session);
    const other = signSession(secret, { ...session, debtorId: 'd2' });
    expect(csrfMatches(secret, value, csrfToken(secret, value))).toBe(true);
    expect(csrfMatches(secret, value, csrfToken(secret, other))).toBe(false);
    expect(csrfMatches(secret, value, undefined)).toBe(false);
  });
});

describe('the page', () => {
  it('escapes what it is given', () => {
    const name = '<script>alert("x")</script>';
    expect(html`<p title="${name}">${name}</p>`.value).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
    expect(html`<ul>${['a', 'b'].map((item) => html`<li>${item}</li>`)}</ul>`.value).toBe('<ul><li>a</li><li>b</li></ul>');
  });

  it('reads amounts in major units of the currency', () => {
    expect(parseAmount('50', 'USD')).toBe(5000);
    expect(parseAmount('1,250.5', 'USD')).toBe(125_050);
    expect(parseAmount('12.345', 'USD')).toBeNull();
    expect(parseAmount('-5', 'USD')).toBeNull();
    expect(parseAmount('1500', 'JPY')).toBe(1500);
    expect(parseAmount('15.5', 'JPY')).toBeNull();
  });
});

describe('plan offers', () => {
  const now = Date.parse('2026-12-05T12:00:00Z');
  it('never go beyond what an officer could grant, and each passes the officer outcome rule', () => {
    const policy = ZNegotiationPolicy.parse({ maxInstallments: 24, minInstallment: 5000, minDownPayment: 2000, officerAuthority: { maxInstallments: 6 } });
    const offers = planOffers({ balance: 100_000, policy, firstDueDate: '2026-12-12', now });
    expect(offers.map((offer) => offer.installments)).toEqual([2, 3, 4, 6]);
    for (const offer of offers) {
      expect(offer.downPayment).toBe(2000);
      const decision = validateOutcome(
        { kind: 'payment_plan', downPayment: offer.downPayment, installments: offer.installments, frequency: offer.frequency, firstDueDate: offer.firstDueDate },
        { balance: 100_000, policy, role: 'officer', now, arrangement: 'none', hold: 'none', placed: false, closed: false },
      );
      expect(decision.ok).toBe(true);
    }
    // A small balance: installments below the minimum are not offered.
    expect(planOffers({ balance: 12_000, policy, firstDueDate: '2026-12-12', now }).map((offer) => offer.installments)).toEqual([2]);
    expect(planOffers({ balance: 100_000, policy, firstDueDate: '2026-12-01', now })).toEqual([]);
  });
});

describe('identity checks', () => {
  it('are the strategy\'s, or its portfolio\'s when it names them', () => {
    const policy = ZSelfServicePolicy.parse({ identity: ['last4', 'last_name_zip'], identityByPortfolio: { ACME: ['birth_date'] } });
    expect(identityMethodsFor(policy, 'ACME')).toEqual(['birth_date']);
    expect(identityMethodsFor(policy, 'Globex')).toEqual(['last4', 'last_name_zip']);
    expect(identityMethodsFor(policy, null)).toEqual(['last4', 'last_name_zip']);
    expect(ZSelfServicePolicy.safeParse({ identity: [] }).success).toBe(false);
    expect(ZSelfServicePolicy.safeParse({ identity: ['password'] }).success).toBe(false);
  });
});
