import { z } from 'zod';
import { isTimeZone } from './contact-rules.js';
import { templateLanguages } from './disclosures.js';
import { ZAccountLedger } from './ledger/account-ledger-schema.js';
import { isCurrency } from './money.js';

/** An account placed for collection, as the API and imports receive it. Money in minor units. */

/** Money columns are 32-bit integers of minor units: $21,474,836.47 is the largest amount. */
export const maxMinorUnits = 2_147_483_647;

export const ZE164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +15555550100');

export const ZPostalAddress = z
  .object({
    line1: z.string().min(1).max(200),
    line2: z.string().max(200).optional(),
    city: z.string().min(1).max(100),
    region: z.string().max(100).optional(),
    postalCode: z.string().min(1).max(20),
    country: z.string().length(2, 'must be an ISO-3166 two-letter country code'),
  })
  .strict();
export type TPostalAddress = z.infer<typeof ZPostalAddress>;

/** An officers' team (portfolio of cases); a team-scoped API key sees only its team's cases. */
export const ZTeam = z.string().trim().min(1).max(64).regex(/^[\w.-]+$/, 'letters, digits, _ . - only');

/**
 * The creditor's id for the person: accounts enrolled with the same one belong to one debtor
 * (api/services/debtor-identity.ts). Exact and case-sensitive after trimming, like account ids.
 */
export const ZDebtorExternalId = z.string().trim().min(1).max(100);

export const ZDebtor = z
  .object({
    /** The person's identity at the creditor; absent, the account gets a debtor of its own (match suggestions may join them later). */
    externalId: ZDebtorExternalId.optional(),
    name: z.string().trim().min(1).max(200),
    email: z.email('must be an email address').optional(),
    phone: ZE164.optional(),
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as America/Chicago'),
    /** Consent to receive SMS at `phone`, recorded with the enrollment. */
    smsConsent: z.boolean().default(false),
    /** Consent (E-SIGN) to receive notices electronically at `email`: the validation notice goes by email only with it, else by letter. */
    emailConsent: z.boolean().optional(),
    /** WhatsApp number (E.164; often the same as `phone`). */
    whatsapp: ZE164.optional(),
    /** The debtor opted in to WhatsApp at `whatsapp`, recorded with the enrollment (source and time, per number); absent is no. */
    whatsappOptIn: z.boolean().optional(),
    address: ZPostalAddress.optional(),
    /** Language the debtor is written to in (`en`, `es`); English when absent. */
    language: z.enum(templateLanguages).optional(),
    /** ZIP or postal code, for the debtor page's identity check (`address.postalCode` when absent); stored only as a keyed hash. */
    postalCode: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$/, 'must be a ZIP or postal code such as 60601').optional(),
    /** Date of birth (YYYY-MM-DD), for the debtor page's identity check; stored only as a keyed hash. */
    birthDate: z.iso.date('must be a date YYYY-MM-DD').refine((date) => date >= '1900-01-01' && date <= new Date().toISOString().slice(0, 10), 'must be a past date').optional(),
  })
  .strict();

export const ZAccountEnrollment = z
  .object({
    externalId: z.string().trim().min(1).max(100),
    /** Strategy key; its active version is used. Absent: the segment rules choose (domain/segments.ts). */
    strategy: z.string().min(1).max(64).optional(),
    currency: z.string().refine(isCurrency, 'must be an ISO-4217 currency code such as USD'),
    /** Amount owed in minor units (cents). */
    balance: z.number().int('must be a whole number of minor units (cents)').positive().max(maxMinorUnits, 'must be at most 2147483647 minor units'),
    daysPastDue: z.number().int().min(0).default(0),
    debtor: ZDebtor,
    /** Client or portfolio that placed the account, for reports. */
    portfolio: z.string().trim().min(1).max(100).optional(),
    /** The officers' team that works the case; absent, the case is unassigned (a manager can assign it later). */
    team: ZTeam.optional(),
    /** Product line (card, loan, utility...), for the segment rules. */
    product: z.string().trim().min(1).max(100).optional(),
    /** The creditor's risk score, for the segment rules. */
    riskScore: z.number().finite().optional(),
    /** The statute of limitations has run: no suit, and the state's disclosure on every message. */
    timeBarred: z.boolean().optional(),
    /**
     * Debts the contact rules count as one (e.g. student loans serviced under one account number):
     * accounts of one person with the same group share the per-debt call caps. Absent: the account's own externalId.
     */
    debtGroup: z.string().trim().min(1).max(100).optional(),
    /** The account number's last four digits, for the debtor page's identity check; stored only as a keyed hash. */
    accountLast4: z.string().regex(/^\d{4}$/, 'must be the last four digits of the account number').optional(),
    /**
     * What the balance is made of (itemization date and parts, interest terms, authorized fees;
     * domain/ledger/account-ledger.ts). Absent: the ledger opens with the balance, all principal.
     */
    ledger: ZAccountLedger.optional(),
  })
  .strict();
export type TAccountEnrollment = z.infer<typeof ZAccountEnrollment>;

/** The debtor's US state or territory code from a US address, for state rules; `undefined` otherwise. */
export function usStateOf(address: TPostalAddress | undefined): string | undefined {
  return address?.country === 'US' && address.region && /^[A-Z]{2}$/.test(address.region) ? address.region : undefined;
}

/** One line, for the letter outbox and the case's contact facts. */
export function formatPostalAddress(name: string, address: TPostalAddress): string {
  return [name, address.line1, address.line2, `${address.city}${address.region ? `, ${address.region}` : ''} ${address.postalCode}`, address.country]
    .filter(Boolean)
    .join(' | ');
}
