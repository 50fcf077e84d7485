import { DateTime } from 'luxon';
import type { ContactHistory } from '../case-facts.js';
import { actionsOutsideCollection, type ContactAction } from './actions.js';
import { addBusinessDays } from './business-days.js';
import type { RuleOutcome } from './outcome.js';

/**
 * Validation information (15 U.S.C. 1692g, 12 CFR 1006.34): the initial communication carries it
 * or it follows within five days; the validation period (1006.34(b)(5)) ends 30 days after the
 * consumer receives it, receipt assumed five days (excluding legal public holidays, Saturdays and
 * Sundays) after it is provided; a dispute within the period stops collection until verification
 * is sent. A notice that came back undelivered was not provided: the period runs from the notice
 * that was delivered (the `validation_notice_returned` event clears the returned one).
 */

const day = 86_400_000;

/** Days after the initial communication within which the validation information must be sent. */
export const validationNoticeDays = 5;
/** Days (excluding legal public holidays, Saturdays and Sundays) after sending at which receipt is assumed (12 CFR 1006.34(b)(5)). */
export const assumedReceiptBusinessDays = 5;
/** Length of the validation period after receipt. */
export const validationPeriodDays = 30;

/** The instant by which the validation information must have been sent, or `null` before any communication. */
export function validationNoticeDeadline(history: ContactHistory | undefined): number | null {
  const first = history?.firstCommunicationAt;
  return first === null || first === undefined ? null : first + validationNoticeDays * day;
}

/**
 * The last instant of the validation period, or `null` while no notice was provided, computed as
 * 12 CFR 1006.34(b)(5) says: the assumed receipt is five days after the notice is provided,
 * excluding legal public holidays, Saturdays and Sundays; the period ends at the end of the 30th
 * day after it, whatever day of the week that is. `safetyMarginDays` (the strategy's
 * `validationNotice.safetyMarginDays`, 0 by default) adds calendar days to the end; nothing else
 * lengthens it. Counted in each candidate zone from the local date of sending; the latest end wins.
 */
export function validationPeriodEnd(history: ContactHistory | undefined, zones: readonly string[], safetyMarginDays = 0): number | null {
  const sent = history?.validationNoticeSentAt;
  if (sent === null || sent === undefined) return null;
  let end = -Infinity;
  for (const zone of zones) {
    const receipt = addBusinessDays(DateTime.fromMillis(sent, { zone }), assumedReceiptBusinessDays);
    const last = receipt.plus({ days: validationPeriodDays + safetyMarginDays }).endOf('day');
    end = Math.max(end, last.toMillis());
  }
  return end;
}

function date(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toISODate() ?? '';
}

/**
 * A dispute received within the validation period (or before any notice was sent) stops
 * collection until verification is sent. A dispute after the period is recorded, not binding here.
 */
export function disputeSuspension({
  action,
  history,
  zones,
  safetyMarginDays = 0,
}: {
  action: ContactAction;
  history: ContactHistory | undefined;
  zones: readonly string[];
  safetyMarginDays?: number;
}): RuleOutcome | null {
  const dispute = history?.dispute;
  if (!dispute || dispute.verificationSentAt !== null || actionsOutsideCollection.includes(action)) return null;
  const periodEnd = validationPeriodEnd(history, zones, safetyMarginDays);
  if (periodEnd !== null && dispute.receivedAt > periodEnd) return null;
  return {
    kind: 'suspend',
    why:
      dispute.about === 'original_creditor'
        ? `the debtor asked for the original creditor on ${date(dispute.receivedAt, zones[0] ?? 'UTC')} (${dispute.source}) within the validation period; ` +
          'collection waits until its name and address are sent (15 U.S.C. 1692g(b))'
        : `the debt was disputed on ${date(dispute.receivedAt, zones[0] ?? 'UTC')} (${dispute.source}) within the validation period; ` +
          'collection waits until verification is sent (15 U.S.C. 1692g(b))',
    cause: { rule: 'dispute', at: dispute.receivedAt, source: dispute.source },
  };
}

/**
 * Once five days have passed since the initial communication without the validation
 * information, collection waits until it is sent (sending it late is the only way forward).
 */
export function validationNoticeSuspension({
  t,
  action,
  history,
  zones,
}: {
  t: number;
  action: ContactAction;
  history: ContactHistory | undefined;
  zones: readonly string[];
}): RuleOutcome | null {
  if (actionsOutsideCollection.includes(action)) return null;
  const sent = history?.validationNoticeSentAt;
  if (sent !== null && sent !== undefined) return null;
  const deadline = validationNoticeDeadline(history);
  if (deadline === null || t < deadline) return null;
  const first = history?.firstCommunicationAt ?? deadline;
  return {
    kind: 'suspend',
    why:
      `the validation notice was not sent within ${validationNoticeDays} days of the first communication ` +
      `on ${date(first, zones[0] ?? 'UTC')}; collection waits until it is sent (12 CFR 1006.34(a))`,
    cause: { rule: 'validation_overdue', firstCommunicationAt: first },
  };
}
