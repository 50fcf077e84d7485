import { createHash } from 'node:crypto';
import type { TAccountEnrollment } from '../../domain/account.js';
import { ApiError, type FieldProblem } from '../errors.js';

/**
 * A repeated enrollment must be the same request: the first one stands, and a repeat that
 * differs is refused (409) with the fields that differ, instead of answering with the old data
 * as if nothing were wrong. The first request is remembered as a fingerprint (a short hash per
 * field, so the audit trail holds no second copy of the debtor's data) in its `account_enrolled`
 * audit event. External ids are compared exactly (case-sensitive, after trimming).
 */

/** Hashes of each field of an enrollment, by path (`debtor.address.line1`), without the external id itself. */
export type EnrollmentFingerprint = Record<string, string>;

/**
 * Fields left out of the fingerprint: the id itself; the strategy, compared with the case's own
 * (it may have been chosen by the segment rules); the balance, compared with the account's placed
 * balance (an import may have changed it since); the team, an assignment rather than the
 * account's data, which a repeat leaves as it is (PUT /api/v1/cases/{caseId}/team moves a case).
 * The debtor page's identity facts are kept only as keyed hashes: an unkeyed fingerprint of a date
 * of birth could be reversed by trying every date, so a repeat is not compared on them (the first stands).
 */
const identityFactPaths = ['debtor.postalCode', 'debtor.birthDate', 'accountLast4'];
const compareElsewhere = new Set(['externalId', 'strategy', 'balance', 'team', ...identityFactPaths]);

export function enrollmentFingerprint(input: TAccountEnrollment): EnrollmentFingerprint {
  const fingerprint: EnrollmentFingerprint = {};
  const visit = (value: unknown, path: string[]) => {
    if (value === undefined) return;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
      return;
    }
    const name = path.join('.');
    if (!compareElsewhere.has(name)) fingerprint[name] = createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 16);
  };
  visit(input, []);
  return fingerprint;
}

/** What a repeat is compared with: the first request's fingerprint (absent for accounts enrolled before it was kept) and the stored rows. */
export interface FirstEnrollment {
  fingerprint: EnrollmentFingerprint | null;
  strategyKey: string;
  placedBalance: number;
  /** Fields of accounts enrolled before fingerprints were kept, read from their rows. */
  stored: Pick<TAccountEnrollment, 'currency' | 'daysPastDue'> & { debtor: Pick<TAccountEnrollment['debtor'], 'name' | 'timeZone'> };
}

/** The paths (as `body.<path>`) in which `repeat` differs from the first enrollment; empty when it is the same request. */
export function differingFields(repeat: TAccountEnrollment, first: FirstEnrollment, { ignoreBalance = false } = {}): string[] {
  const differing: string[] = [];
  if (repeat.strategy !== undefined && repeat.strategy !== first.strategyKey) differing.push('strategy');
  if (!ignoreBalance && repeat.balance !== first.placedBalance) differing.push('balance');
  if (first.fingerprint) {
    const mine = enrollmentFingerprint(repeat);
    const paths = new Set([...Object.keys(mine), ...Object.keys(first.fingerprint)]);
    for (const path of [...paths].sort()) if (mine[path] !== first.fingerprint[path]) differing.push(path);
  } else {
    if (repeat.currency !== first.stored.currency) differing.push('currency');
    if (repeat.daysPastDue !== first.stored.daysPastDue) differing.push('daysPastDue');
    if (repeat.debtor.name !== first.stored.debtor.name) differing.push('debtor.name');
    if (repeat.debtor.timeZone !== first.stored.debtor.timeZone) differing.push('debtor.timeZone');
  }
  return differing;
}

/** The 409 for a repeat that differs; values are not echoed (they are the debtor's data). */
export function enrollmentConflict(externalId: string, differing: string[]): ApiError {
  const fields: FieldProblem[] = differing.map((path) => ({ path: `body.${path}`, message: 'differs from the first enrollment of this externalId, which stands' }));
  return new ApiError(409, 'enrollment_conflict', `externalId "${externalId}" is already enrolled with different data (${differing.join(', ')}); the first enrollment stands`, fields);
}
