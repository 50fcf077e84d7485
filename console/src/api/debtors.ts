import { apiKey, ApiProblem } from './client';

/**
 * DRAFT until the debtor routes are in the OpenAPI document: the shape agreed in the issue 17 plan,
 * called through fetch. Replaced by the typed client once the routes land.
 */

export interface DesignatedTimeView {
  from: string;
  to: string;
  days?: number[];
  media?: string[];
  at?: string | number;
  source?: string;
}
export interface DebtorAccount {
  accountId: string;
  externalId: string;
  debtGroup: string;
  caseId: string | null;
  status: string;
  balance: number;
  currency: string;
  currentStep: string | null;
  live: boolean;
  nextActionAt: string | null;
  nextActionWhy: string | null;
}
export interface DebtorContact {
  contactId: string;
  channel: string;
  value: string;
  place: string | null;
  status: string;
  source: string;
  createdAt: string;
  verifiedAt: string | null;
  retiredAt: string | null;
  consent: boolean;
  consentAt: string | null;
  consentSource: string | null;
  optedOutAt: string | null;
  optOutSource: string | null;
}
export interface DebtorDetail {
  debtorId: string;
  externalId: string | null;
  name: string;
  timeZone: string;
  language: string;
  state: string | null;
  mergedInto: string | null;
  masked?: boolean;
  accounts: DebtorAccount[];
  contacts: DebtorContact[];
  preferences: {
    preferredChannel: string | null;
    inconvenientTimes: DesignatedTimeView[];
    refusedPlaces: { place: string; at?: string | number; source?: string }[];
    refusedMedia: { medium: string; address?: string; at?: string | number; source?: string }[];
    callConsent: { at: string | number; source: string } | null;
  };
  flags: Partial<Record<string, { at: string | number; source: string }>>;
  holds: { caseId: string; accountExternalId: string; channel: string | null; kind: string; until: string | null; reason: string }[];
  history: { at: string; caseId: string | null; accountExternalId: string | null; type: string; actor: string; detail: string | null }[];
}
export interface DebtorListItem {
  debtorId: string;
  externalId: string | null;
  name: string;
  timeZone: string;
  mergedInto: string | null;
  accounts: number;
  openCases: number;
}
export interface MatchSuggestion {
  debtorIds: string[];
  reasons: string[];
  persons: { debtorId: string; externalId: string | null; name: string; accounts: number }[];
}
export interface MergeView {
  mergeId: string;
  survivor: string;
  merged: string;
  accountIds: string[];
  contactIds: string[];
  by: string;
  reason: string;
  at: string;
  undoneAt: string | null;
  undoneBy: string | null;
  undoReason: string | null;
}
export interface PostalAddress {
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
}
export interface ContactBody {
  channel: string;
  value: string | PostalAddress;
  place?: string;
  source: string;
}
export interface ContactPatch {
  value?: string | PostalAddress;
  place?: string | null;
  verified?: boolean;
  retired?: boolean;
  reason: string;
}
export interface PreferencesBody {
  language?: string;
  preferredChannel?: string | null;
  inconvenientTimes?: DesignatedTimeView[];
  refusedPlaces?: string[];
  callConsent?: boolean;
  source?: string;
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const key = apiKey.get();
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string; fields?: { path: string; message: string }[] } } | null)?.error;
    throw new ApiProblem(response.status, error?.code ?? 'http_error', error?.message ?? `${response.status}`, error?.fields ?? []);
  }
  return json as T;
}

const person = (debtorId: string) => `/api/v1/debtors/${encodeURIComponent(debtorId)}`;

export const debtorsApi = {
  list: (query: { q?: string; externalId?: string; cursor?: string }) =>
    call<{ items: DebtorListItem[]; nextCursor: string | null }>('GET', `/api/v1/debtors?${new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1]))).toString()}`),
  get: (debtorId: string, reveal: boolean) => call<DebtorDetail>('GET', `${person(debtorId)}${reveal ? '?reveal=true' : ''}`),
  addContact: (debtorId: string, body: ContactBody) => call<DebtorContact>('POST', `${person(debtorId)}/contacts`, body),
  patchContact: (debtorId: string, contactId: string, body: ContactPatch) => call<DebtorContact>('PATCH', `${person(debtorId)}/contacts/${encodeURIComponent(contactId)}`, body),
  putPreferences: (debtorId: string, body: PreferencesBody) => call<unknown>('PUT', `${person(debtorId)}/preferences`, body),
  setFlag: (debtorId: string, body: { flag: string; set: boolean; source: string }) => call<unknown>('POST', `${person(debtorId)}/flags`, body),
  suggestions: () => call<{ items: MatchSuggestion[] }>('GET', '/api/v1/debtors/match-suggestions'),
  merges: (debtorId: string) => call<{ items: MergeView[] }>('GET', `${person(debtorId)}/merges`),
  merge: (debtorId: string, body: { from: string; reason: string }) => call<{ mergeId: string }>('POST', `${person(debtorId)}/merge`, body),
  undoMerge: (mergeId: string, body: { reason: string }) => call<unknown>('POST', `/api/v1/debtor-merges/${encodeURIComponent(mergeId)}/undo`, body),
};
