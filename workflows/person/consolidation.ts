import { DateTime } from 'luxon';
import type { ConsolidatedAccount, ContactGrantRequest, DueMessage } from '../person-messages.js';
import { decideContact, type PersonLedger } from './rules.js';

/**
 * Which other accounts a permitted message lists with the asking case's own (strategy setting
 * `contact.consolidate`): the person's open cases whose message on the same channel is due the
 * same local day and that the rules would let contact the person now, each checked with its own
 * debt's facts before the one contact is counted. Pure: the person's grant handler calls it.
 */
export function consolidationCandidates({
  ledger,
  request,
  due,
  covered,
  now,
}: {
  ledger: PersonLedger;
  request: ContactGrantRequest;
  /** Each case's next due message step, as the cases told it. */
  due: Record<string, DueMessage>;
  /** Step keys already listed in an earlier consolidated message, by case. */
  covered: Record<string, { stepKey: string }>;
  now: number;
}): ConsolidatedAccount[] {
  if (!request.consolidate) return [];
  const day = (at: number) => DateTime.fromMillis(at, { zone: ledger.timeZone }).toISODate();
  const today = day(now);
  const listed: ConsolidatedAccount[] = [];
  for (const [caseId, message] of Object.entries(due)) {
    if (caseId === request.caseId || !ledger.cases[caseId]?.open) continue;
    if (message.channel !== request.channel || day(message.at) !== today) continue;
    if (covered[caseId]?.stepKey === message.account.stepKey) continue;
    const check = decideContact({ ledger, request: { ...message.request, caseId, grantId: `${request.grantId}+${caseId}`, reserve: false }, now });
    if (check.grant.kind === 'permitted') listed.push(message.account);
  }
  return listed;
}
