import type { CaseFacts } from '../case-facts.js';
import type { ContactAction, ContactRoute } from './actions.js';
import { contactPointBar, provenance } from './contact-point.js';

/**
 * Standing facts that stop contacts outright, each stopping the contacts it concerns and no
 * others:
 *
 * | fact                    | stops                                                     |
 * | ----------------------- | --------------------------------------------------------- |
 * | bankruptcy              | everything, referral and litigation included (automatic stay) |
 * | deceased                | every communication to the debtor                        |
 * | attorney represents     | every communication to the debtor (12 CFR 1006.6(b)(2))   |
 * | cease communication     | every communication but the cease notices and verification (1006.6(c)) |
 * | refused medium/address  | that medium, or that address only (1006.14(h))            |
 * | refused place           | contact points at that place (1006.6(b)(1)(iii))          |
 * | opt-out                 | that channel only (1006.6(e))                             |
 * | missing/invalid contact | that channel only                                         |
 *
 * The last four are the contact point's own standing (contact-point.ts).
 */

/**
 * Why the contact can never happen as the facts stand, or `null`. Consent (SMS) and the
 * time-barred litigation bar are their own rules (consent.ts, time-barred.ts).
 */
export function communicationBar({ route, action, facts }: { route: ContactRoute; action: ContactAction; facts: CaseFacts }): string | null {
  const flags = facts.flags ?? {};
  if (flags.bankruptcy) return `the debtor is in bankruptcy; the automatic stay stops all collection (${provenance(flags.bankruptcy)})`;
  if (route === 'none') return null;
  if (flags.deceased) return `the debtor is deceased (${provenance(flags.deceased)})`;
  if (flags.attorneyRepresented) {
    return `the debtor is represented by an attorney; communicate with the attorney (${provenance(flags.attorneyRepresented)}, 12 CFR 1006.6(b)(2))`;
  }
  if (flags.ceaseCommunication && action !== 'cease_notice' && action !== 'verification') {
    return `the debtor asked us to cease communication (${provenance(flags.ceaseCommunication)}, 12 CFR 1006.6(c))`;
  }
  return contactPointBar(facts, route);
}
