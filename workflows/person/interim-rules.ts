import { DateTime } from 'luxon';
import type { CaseFacts, ContactMedium } from '../../domain/case-facts.js';
import { evaluateContact, type ContactVerdict } from '../../domain/regulation/index.js';
import { applyComplianceEvent, attemptRetentionDays } from '../../domain/regulation/events.js';
import type { ContactGrantRequest, PersonCaseRef, PersonChange, PersonContact, PersonFacts } from '../person-messages.js';

/**
 * Stand-in for the pure person rules (domain/person/, the `rules` branch) until they are merged:
 * the same four functions and shapes, the decision made by evaluateContact over the person's
 * facts and whole ledger. Replaced by a re-export of domain/person/ when it lands.
 */

const day = 86_400_000;

/** What the person workflow decides against: who, what they told us, their debts, every contact. */
export interface PersonLedger {
  name: string;
  timeZone: string;
  facts: PersonFacts;
  cases: PersonCaseRef[];
  contacts: PersonContact[];
}

/** The case's facts with the person's in place of its own person-level ones (time-barred stays the debt's). */
export function withPersonFacts(caseFacts: CaseFacts, person: PersonFacts): CaseFacts {
  const timeBarred = caseFacts.flags?.timeBarred;
  const flags = { ...person.flags, ...(timeBarred ? { timeBarred } : {}) };
  return {
    ...caseFacts,
    contacts: Object.keys(person.contacts).length > 0 ? person.contacts : caseFacts.contacts,
    ...(Object.keys(flags).length > 0 ? { flags } : { flags: {} }),
    refusedMedia: person.refusedMedia ?? [],
    refusedPlaces: person.refusedPlaces ?? [],
    inconvenientTimes: person.inconvenientTimes ?? [],
    callConsent: person.callConsent ?? null,
    ...(person.timeZones ? { timeZones: [...new Set([...(caseFacts.timeZones ?? []), ...person.timeZones])] } : {}),
    ...(person.state ? { state: person.state } : {}),
  };
}

/** The person's facts after `change`, and what changed in words (empty when nothing did). */
export function applyPersonChange(facts: PersonFacts, change: PersonChange): { facts: PersonFacts; changes: string[] } {
  switch (change.kind) {
    case 'compliance': {
      const { facts: next, changes } = applyComplianceEvent<PersonFacts & Pick<CaseFacts, 'history'>>(facts, change.event);
      const { history: _history, ...rest } = next;
      return { facts: rest, changes };
    }
    case 'designations': {
      if (JSON.stringify(facts.inconvenientTimes ?? []) === JSON.stringify(change.inconvenientTimes)) return { facts, changes: [] };
      const times = change.inconvenientTimes.map((time) => `${time.from}–${time.to}`).join(', ') || 'none';
      return { facts: { ...facts, inconvenientTimes: change.inconvenientTimes }, changes: [`inconvenient times designated: ${times} (${change.source})`] };
    }
    case 'call_consent':
      return {
        facts: { ...facts, callConsent: change.granted ? { at: change.at, source: change.source } : null },
        changes: [`consent to be called ${change.granted ? 'given' : 'withdrawn'} (${change.source})`],
      };
    case 'preferences': {
      const next: PersonFacts = { ...facts };
      if (change.language) next.language = change.language;
      if (change.preferredChannel === null) delete next.preferredChannel;
      else if (change.preferredChannel) next.preferredChannel = change.preferredChannel;
      return { facts: next, changes: [`preferences changed (${change.source})`] };
    }
    case 'contacts':
      return { facts: { ...facts, contacts: change.contacts }, changes: [`contact points changed (${change.source})`] };
  }
}

/** The ledger with `contact` added (once per grant id) and contacts past the longest cap window dropped. */
export function recordContact(ledger: PersonContact[], contact: PersonContact, now: number): PersonContact[] {
  const kept = ledger.filter((each) => each.at > now - attemptRetentionDays * day && each.grantId !== contact.grantId);
  return [...kept, contact].sort((a, b) => a.at - b.at);
}

/** A designation that covers `t` for `medium`, and when it ends. */
function designatedHold(facts: PersonFacts, zone: string, medium: ContactMedium, t: number): { until: number; why: string } | null {
  const local = DateTime.fromMillis(t, { zone });
  const clock = local.toFormat('HH:mm');
  for (const time of facts.inconvenientTimes ?? []) {
    if (time.media && !time.media.includes(medium)) continue;
    if (time.days && !time.days.includes(local.weekday)) continue;
    if (clock >= time.from && clock < time.to) {
      const [hour, minute] = time.to.split(':').map(Number);
      const ends = time.to === '24:00' ? local.startOf('day').plus({ days: 1 }) : local.set({ hour: hour ?? 0, minute: minute ?? 0, second: 0, millisecond: 0 });
      return { until: ends.toMillis(), why: `the person said ${time.from}–${time.to} is inconvenient (${time.source})` };
    }
  }
  return null;
}

/**
 * Whether the contact `request` asks for may happen at `now` against the person's facts and
 * whole ledger; when permitted (and `reserve !== false`) the contact to count.
 */
export function decideContact({ ledger, request, now }: { ledger: PersonLedger; request: ContactGrantRequest; now: number }): { grant: ContactVerdict; contact: PersonContact | null } {
  const group = ledger.cases.find((each) => each.caseId === request.caseId)?.debtGroup ?? request.caseId;
  // Per debt (group) for calls, the federal cap speaks of the debt; per person for every other medium.
  const counted = ledger.contacts.filter((each) => each.medium !== 'phone' || (each.debtGroup === group && !each.consented));
  const conversations = ledger.contacts.filter((each) => each.conversation && each.debtGroup === group).map((each) => each.at);
  const facts: CaseFacts = {
    ...withPersonFacts({ balance: request.debt.balance, timeZone: ledger.timeZone, contacts: ledger.facts.contacts }, ledger.facts),
    ...(request.debt.timeBarred ? { flags: { ...ledger.facts.flags, timeBarred: { at: now, source: 'case' } } } : {}),
    history: {
      ...request.debt.history,
      attempts: counted.map((each) => ({ channel: each.medium, at: each.at })),
      lastConversationAt: conversations.length > 0 ? Math.max(...conversations) : null,
    },
  };
  let t = now;
  let verdict: ContactVerdict | null = null;
  const whys: string[] = [];
  for (let step = 0; step < 50; step++) {
    const at = evaluateContact({ channel: request.channel, action: request.action, now: t, facts, policy: request.policy });
    if (at.kind === 'barred' || (at.kind === 'held' && at.until === null)) {
      verdict = at;
      break;
    }
    if (at.kind === 'held') {
      whys.push(at.reason);
      t = at.until ?? t;
      continue;
    }
    const designated = request.channel === 'none' ? null : designatedHold(ledger.facts, ledger.timeZone, request.channel, t);
    if (!designated) {
      verdict = t === now ? { kind: 'permitted' } : { kind: 'held', until: t, reason: whys.join('; ') };
      break;
    }
    whys.push(designated.why);
    t = designated.until;
  }
  verdict ??= { kind: 'barred', reason: `no permitted moment: ${whys.slice(0, 3).join('; ')}` };
  if (verdict.kind === 'held') {
    const last = [...ledger.contacts].reverse().find((each) => request.channel !== 'none' && each.medium === request.channel);
    const about = last && ledger.cases.find((each) => each.caseId === last.caseId)?.accountExternalId;
    const reached = last ? `${ledger.name} was reached about ${about ?? 'another account'} on ${DateTime.fromMillis(last.at, { zone: ledger.timeZone }).toFormat('d LLL')}; ` : `${ledger.name}: `;
    const next = verdict.until === null || /\bnext /.test(verdict.reason) ? '' : `; next ${DateTime.fromMillis(verdict.until, { zone: ledger.timeZone }).toFormat('d LLL HH:mm')}`;
    verdict = { ...verdict, reason: `${reached}${verdict.reason.replace(/^held: /, '')}${next}` };
  } else if (verdict.kind === 'barred') {
    verdict = { ...verdict, reason: `${ledger.name}: ${verdict.reason}` };
  }
  const contact: PersonContact | null =
    verdict.kind === 'permitted' && request.reserve !== false && request.channel !== 'none'
      ? { grantId: request.grantId, caseId: request.caseId, debtGroup: group, medium: request.channel, at: now }
      : null;
  return { grant: verdict, contact };
}
