import type { paths } from '../generated/openapi';
import { api, unwrap } from './client';
import type { Json } from './types';

/**
 * The debtor (person) API as the console calls it, typed from the API's OpenAPI document. Each
 * write carries an Idempotency-Key made once per submit, so a retried request is not done twice.
 */

type Person = paths['/api/v1/debtors/{debtorId}'];

export type DebtorDetail = Json<Person['get']['responses'][200]>;
export type DebtorAccount = DebtorDetail['accounts'][number];
export type DebtorContact = DebtorDetail['contacts'][number];
export type DesignatedTimeView = DebtorDetail['preferences']['inconvenientTimes'][number];
export type DebtorListItem = Json<paths['/api/v1/debtors']['get']['responses'][200]>['items'][number];
export type MatchSuggestion = Json<paths['/api/v1/debtors/match-suggestions']['get']['responses'][200]>['items'][number];
export type MergeView = Json<paths['/api/v1/debtors/{debtorId}/merges']['get']['responses'][200]>['items'][number];
export type ContactBody = Json<paths['/api/v1/debtors/{debtorId}/contacts']['post']['requestBody']>;
export type ContactPatch = Json<paths['/api/v1/debtors/{debtorId}/contacts/{contactId}']['patch']['requestBody']>;
export type PostalAddress = Exclude<ContactBody['value'], string>;
export type PreferencesBody = Json<paths['/api/v1/debtors/{debtorId}/preferences']['put']['requestBody']>;
export type DesignatedTimeInput = NonNullable<PreferencesBody['inconvenientTimes']>[number];
export type FlagBody = Json<paths['/api/v1/debtors/{debtorId}/flags']['post']['requestBody']>;

const once = () => ({ 'idempotency-key': crypto.randomUUID() });
const at = (debtorId: string) => ({ path: { debtorId }, header: once() });

export const debtorsApi = {
  list: async (query: { q?: string; externalId?: string; cursor?: string; limit?: number }) => unwrap(await api.GET('/api/v1/debtors', { params: { query } })),
  get: async (debtorId: string, reveal: boolean) => unwrap(await api.GET('/api/v1/debtors/{debtorId}', { params: { path: { debtorId }, query: { reveal: reveal ? 'true' : 'false' } } })),
  addContact: async (debtorId: string, body: ContactBody) => unwrap(await api.POST('/api/v1/debtors/{debtorId}/contacts', { params: at(debtorId), body })),
  patchContact: async (debtorId: string, contactId: string, body: ContactPatch) =>
    unwrap(await api.PATCH('/api/v1/debtors/{debtorId}/contacts/{contactId}', { params: { path: { debtorId, contactId }, header: once() }, body })),
  putPreferences: async (debtorId: string, body: PreferencesBody) => unwrap(await api.PUT('/api/v1/debtors/{debtorId}/preferences', { params: at(debtorId), body })),
  setFlag: async (debtorId: string, body: FlagBody) => unwrap(await api.POST('/api/v1/debtors/{debtorId}/flags', { params: at(debtorId), body })),
  suggestions: async () => unwrap(await api.GET('/api/v1/debtors/match-suggestions', { params: { query: {} } })),
  merge: async (debtorId: string, body: { from: string; reason: string }) => unwrap(await api.POST('/api/v1/debtors/{debtorId}/merge', { params: at(debtorId), body })),
  merges: async (debtorId: string) => unwrap(await api.GET('/api/v1/debtors/{debtorId}/merges', { params: { path: { debtorId } } })),
  undoMerge: async (mergeId: string, body: { reason: string }) => unwrap(await api.POST('/api/v1/debtor-merges/{mergeId}/undo', { params: { path: { mergeId } }, body })),
};
