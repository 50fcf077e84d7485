import type { ContactMedium } from '../case-facts.js';

/**
 * What a contact is for. The rules bar different purposes: a cease request still lets the
 * collector confirm it stops, a dispute still lets it send verification, a time-barred debt
 * forbids litigation only.
 */
export const ContactAction = {
  /** Any ordinary dunning communication (reminder, demand, call). */
  collection: 'collection',
  /** A communication that carries the validation information (12 CFR 1006.34). */
  validationNotice: 'validation_notice',
  /** Verification of a disputed debt (15 U.S.C. 1692g(b)). */
  verification: 'verification',
  /** The notices a cease request still allows (12 CFR 1006.6(c)(2)): efforts end, a remedy may or will be invoked. */
  ceaseNotice: 'cease_notice',
  /**
   * An answer to a message the person sent us, in the medium they used: after they opted out of or
   * refused that medium, each message they start in it may be answered once in it (12 CFR
   * 1006.14(h)(2)(ii), 1006.6(e)); otherwise an ordinary contact. The other rules apply as to collection.
   */
  answer: 'answer',
  /** Placing the debt with an agency: not a contact, but still collection. */
  referral: 'referral',
  /** Suing, or a step that prepares suit. */
  litigation: 'litigation',
} as const;
export type ContactAction = (typeof ContactAction)[keyof typeof ContactAction];

/** The medium a contact uses; `none` for actions that do not reach the debtor (referral, litigation). */
export type ContactRoute = ContactMedium | 'none';

/** Actions a dispute or an overdue validation notice does not stop. */
export const actionsOutsideCollection: readonly ContactAction[] = ['validation_notice', 'verification', 'cease_notice'];
