import { DateTime } from 'luxon';
import type { ContactGrantRequest, PersonContact } from '../../workflows/person-messages.js';
import type { ContactMedium, DesignatedTime } from '../case-facts.js';
import { conversationQuietDays, describeMedia, nouns } from '../regulation/call-frequency.js';
import { provenance } from '../regulation/contact-point.js';
import type { ContactExplanation, HoldCause } from '../regulation/index.js';
import { validationNoticeDays } from '../regulation/validation-notice.js';
import type { PersonLedger } from './contact-decision.js';

/**
 * A held contact's reason in the words a person reads on the case, the preview and the console:
 * who (the person's name), about which account (its external id), what happened, and when the
 * next contact may be, e.g. "Ana Ruiz was reached about ACC-2 on 3 Dec; next call about ACC-3 from
 * 10 Dec 10:00, their stated earliest time". We cannot know a person's pronouns: "their".
 */

/** Which cause leads the sentence when several held the contact: what the person did or said first. */
const leadOrder: readonly HoldCause['rule'][] = ['dispute', 'validation_overdue', 'conversation', 'cap', 'designation', 'no_contact_day', 'window'];

const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function accountOf(ledger: PersonLedger, caseId: string): string {
  return ledger.cases[caseId]?.accountExternalId ?? caseId;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

function mediumWords(media: readonly ContactMedium[]): string {
  return media.map((medium) => nouns(medium)[1]).join(' or ');
}

/** "before 10:00", "after 20:00", "between 12:00 and 13:00", with its days. */
function designationSpan(designation: DesignatedTime): string {
  const days = designation.days ? ` on ${designation.days.map((each) => weekdays[each - 1] ?? String(each)).join(', ')}` : '';
  if (designation.from === '00:00' && designation.to !== '00:00' && designation.to !== '24:00') return `before ${designation.to}${days}`;
  if (designation.to === '24:00' || (designation.to === '00:00' && designation.from !== '00:00')) return `after ${designation.from}${days}`;
  return `between ${designation.from} and ${designation.to}${days}`;
}

/** The accounts whose contacts a cap counted, in the order they were made. */
function cappedAccounts(ledger: PersonLedger, request: ContactGrantRequest, debtGroup: string, cause: Extract<HoldCause, { rule: 'cap' }>): string[] {
  const counted = ledger.contacts.filter((contact: PersonContact) => {
    const date = DateTime.fromMillis(contact.at, { zone: cause.zone }).toISODate() ?? '';
    return (
      (cause.cap.scope === 'person' || contact.debtGroup === debtGroup) &&
      cause.cap.media.includes(contact.medium) &&
      !(cause.cap.consentExempt && contact.consented) &&
      date >= cause.from &&
      date <= cause.to
    );
  });
  const accounts = [...new Set(counted.map((contact) => accountOf(ledger, contact.caseId)))];
  return accounts.length > 0 ? accounts : [accountOf(ledger, request.caseId)];
}

/** The sentence for what held the contact, and the accounts it already names. */
function lead(ledger: PersonLedger, request: ContactGrantRequest, debtGroup: string, cause: HoldCause): { text: string; names: string[] } {
  const name = ledger.name;
  const account = accountOf(ledger, request.caseId);
  const date = (at: number): string => DateTime.fromMillis(at, { zone: ledger.timeZone }).toFormat('d LLL');
  const zoneNote = (zone: string): string => (zone === ledger.timeZone ? '' : ` in ${zone}`);
  switch (cause.rule) {
    case 'conversation': {
      const talk = ledger.contacts.find((contact) => contact.conversation && contact.debtGroup === debtGroup && contact.at === cause.at);
      const about = talk ? accountOf(ledger, talk.caseId) : account;
      return { text: `${name} was reached about ${about} on ${date(cause.at)}`, names: [about] };
    }
    case 'cap': {
      const accounts = cappedAccounts(ledger, request, debtGroup, cause);
      const to = DateTime.fromISO(cause.to).toFormat('d LLL');
      return {
        text: `${name} got ${cause.count} ${describeMedia(cause.cap.media, cause.count)} about ${list(accounts)} in the ${cause.cap.days} days to ${to} (limit ${cause.cap.max}, ${cause.cap.source})`,
        names: accounts,
      };
    }
    case 'dispute':
      return {
        text: `${name} disputed ${account} on ${date(cause.at)} (${cause.source}); collection on ${account} waits until verification is sent (15 U.S.C. 1692g(b))`,
        names: [account],
      };
    case 'validation_overdue':
      return {
        text:
          `${account} has had no validation notice within ${validationNoticeDays} days of the first communication with ${name} on ` +
          `${date(cause.firstCommunicationAt)}; collection on it waits until one is sent (12 CFR 1006.34(a))`,
        names: [account],
      };
    case 'designation': {
      const what = cause.designation.media ? `no ${mediumWords(cause.designation.media)}` : 'no contact';
      return { text: `${name} asked for ${what} ${designationSpan(cause.designation)} (${provenance(cause.designation)})`, names: [] };
    }
    case 'no_contact_day':
      return { text: `${cause.weekday} ${DateTime.fromISO(cause.date).toFormat('d LLL')} is a no-contact day for ${name}${zoneNote(cause.zone)}`, names: [] };
    case 'window':
      return { text: `it is ${cause.clock} for ${name}${zoneNote(cause.zone)}, outside ${cause.window.start}–${cause.window.end}`, names: [] };
  }
}

/** Why the next contact is at `until`, from the rule whose end it is. */
function whyThen(cause: HoldCause | null): string {
  switch (cause?.rule) {
    case 'designation':
      return cause.designation.from === '00:00' ? ', their stated earliest time' : ', when the time they asked us to avoid ends';
    case 'window':
      return `, the start of the permitted hours (${cause.window.start}–${cause.window.end})`;
    case 'conversation':
      return `, ${conversationQuietDays} days after the conversation`;
    case 'cap':
      return `, when fewer than ${cause.cap.max} fall within ${cause.cap.days} days`;
    default:
      return '';
  }
}

/**
 * The reason for a held verdict, naming the person and the accounts; `null` when the explanation
 * holds nothing the person's words cover (the engine's reason stands).
 */
export function personHoldReason({
  ledger,
  request,
  debtGroup,
  explanation,
}: {
  ledger: PersonLedger;
  request: ContactGrantRequest;
  debtGroup: string;
  explanation: ContactExplanation;
}): string | null {
  const { verdict } = explanation;
  if (verdict.kind !== 'held') return null;
  const cause = leadOrder.map((rule) => explanation.causes.find((each) => each.rule === rule)).find((each) => each !== undefined);
  if (!cause) return null;
  const first = lead(ledger, request, debtGroup, cause);
  if (verdict.until === null) return first.text;
  const account = accountOf(ledger, request.caseId);
  const noun = request.channel === 'none' ? 'step' : nouns(request.channel)[0];
  const about = first.names.length === 1 && first.names[0] === account ? '' : ` about ${account}`;
  const when = DateTime.fromMillis(verdict.until, { zone: ledger.timeZone }).toFormat('d LLL HH:mm');
  const zone = explanation.zone === ledger.timeZone ? '' : ` (${ledger.timeZone})`;
  return `${first.text}; next ${noun}${about} from ${when}${zone}${whyThen(explanation.binding)}`;
}
