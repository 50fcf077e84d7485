import { z } from 'zod';
import { responseKinds, ZResponseModel, type TResponseModel, type TResponseRates } from '../../domain/simulation/contract.js';
import type { Db } from '../../lib/db.js';
import { fitFromHistory } from '../../records/simulation-history.js';
import { notFound, unprocessable, type FieldProblem } from '../errors.js';
import { serializable } from './strategies.js';

/**
 * The simulator's response models, named and versioned: each save under a name is the next
 * version and is never changed, so a simulation's result always names the model it came from.
 * A body is either edited by hand or fitted from the engine's own history.
 */

export const ResponseModelSource = { fitted: 'fitted', manual: 'manual' } as const;
export type ResponseModelSource = (typeof ResponseModelSource)[keyof typeof ResponseModelSource];

/** At most 100 characters: it is a path parameter, and the router takes no longer one (test/security/http-layer.test.ts). */
export const ZResponseModelName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w.@-]+$/, 'letters, digits and _ . @ - only');

/** A hand-edited model: everything but its name and version, which the store gives. */
export const ZResponseModelBody = ZResponseModel.omit({ name: true, version: true });
export type TResponseModelBody = z.infer<typeof ZResponseModelBody>;

export interface ResponseModelView {
  id: string;
  name: string;
  version: number;
  source: string;
  createdAt: Date;
  createdBy: string;
  model: TResponseModel;
}

type Row = { id: string; name: string; version: number; source: string; createdAt: Date; createdBy: string; body: unknown };
const toView = (row: Row): ResponseModelView => ({
  id: row.id,
  name: row.name,
  version: row.version,
  source: row.source,
  createdAt: row.createdAt,
  createdBy: row.createdBy,
  model: row.body as TResponseModel,
});

/**
 * The responses to one contact are one draw among exclusive outcomes (or none), so each set of
 * rates may add up to at most 1; zod checks each rate, this the sum, naming the set.
 */
export function rateProblems(body: TResponseModelBody, at: string): FieldProblem[] {
  const sets: Array<[string, TResponseRates]> = [[`${at}.base`, body.base], ...body.strata.map((stratum, index): [string, TResponseRates] => [`${at}.strata.${index}.rates`, stratum.rates])];
  return sets.flatMap(([path, rates]) => {
    const sum = responseKinds.reduce((total, kind) => total + rates[kind], 0);
    return sum > 1 + 1e-9 ? [{ path, message: `the rates add up to ${Number(sum.toFixed(6))}; the responses to one contact exclude each other, so at most 1` }] : [];
  });
}

/** Stores `body` as the next version of `name`. */
export async function saveResponseModel({ db, name, body, source, actor }: { db: Db; name: string; body: TResponseModelBody; source: ResponseModelSource; actor: string }): Promise<ResponseModelView> {
  const problems = rateProblems(body, 'body.model');
  if (problems.length > 0) throw unprocessable('invalid_response_model', `the response model has ${problems.length} problem(s)`, problems);
  const row = await serializable(db, async (tx) => {
    const latest = await tx.responseModel.findFirst({ where: { name }, orderBy: { version: 'desc' }, select: { version: true } });
    const version = (latest?.version ?? 0) + 1;
    const model: TResponseModel = { ...body, name, version };
    const created = await tx.responseModel.create({ data: { name, version, body: model, source, createdBy: actor } });
    await tx.auditEvent.create({ data: { actor, action: 'response_model_saved', after: { name, version, source } } });
    return created;
  });
  return toView(row);
}

/** Fitting a model from the engine's own history: the contacts of a period and what followed each within the window. */
export const ZFitRequest = z
  .object({
    /** First and last day (UTC) of the contacts to learn from. */
    from: z.iso.date(),
    to: z.iso.date(),
    /** Only the accounts of this portfolio. */
    portfolio: z.string().trim().min(1).max(64).optional(),
    responseWindowDays: z.number().int().min(1).max(60).default(14),
    /** How many observations' weight the base rates carry in a stratum (a Beta prior): thin strata lean on them. */
    priorStrength: z.number().min(0).max(100_000).default(20),
    minObservations: z.number().int().min(0).max(100_000).optional(),
  })
  .strict();
export type TFitRequest = z.infer<typeof ZFitRequest>;

/** Fits a model from the history of `fit`'s period and saves it as the next version of `name`. */
export async function fitAndSaveResponseModel({ db, name, fit, actor }: { db: Db; name: string; fit: TFitRequest; actor: string }): Promise<ResponseModelView> {
  const from = new Date(`${fit.from}T00:00:00.000Z`);
  const to = new Date(`${fit.to}T00:00:00.000Z`);
  to.setUTCDate(to.getUTCDate() + 1);
  if (to <= from) throw unprocessable('invalid_fit', 'body.fit.to: the period ends before it starts', [{ path: 'body.fit.to', message: 'must be on or after body.fit.from' }]);
  const { name: _name, version: _version, ...body } = await fitFromHistory(db, {
    from,
    to,
    ...(fit.portfolio ? { portfolio: fit.portfolio } : {}),
    name,
    version: 1,
    responseWindowDays: fit.responseWindowDays,
    priorStrength: fit.priorStrength,
    ...(fit.minObservations !== undefined ? { minObservations: fit.minObservations } : {}),
  });
  if ((body.fittedFrom?.cases ?? 0) === 0) {
    const path = fit.portfolio ? 'body.fit.portfolio' : 'body.fit.from';
    throw unprocessable('no_history', `${path}: no cases with history in the period to fit from`, [{ path, message: 'no cases with history in the period to fit from' }]);
  }
  return saveResponseModel({ db, name, body, source: ResponseModelSource.fitted, actor });
}

/** The newest version of every name. */
export async function listResponseModels(db: Db): Promise<ResponseModelView[]> {
  const rows = await db.responseModel.findMany({ orderBy: [{ name: 'asc' }, { version: 'desc' }], distinct: ['name'] });
  return rows.map(toView);
}

export async function responseModelVersions(db: Db, name: string): Promise<ResponseModelView[]> {
  const rows = await db.responseModel.findMany({ where: { name }, orderBy: { version: 'desc' } });
  if (rows.length === 0) throw notFound(`response model "${name}"`);
  return rows.map(toView);
}

/** One version, or (without `version`) the newest; `path` names the request field for a 422. */
export async function findResponseModel(db: Db, { name, version }: { name: string; version?: number | undefined }, path?: string): Promise<ResponseModelView> {
  const row = await db.responseModel.findFirst({ where: { name, ...(version !== undefined ? { version } : {}) }, orderBy: { version: 'desc' } });
  if (row) return toView(row);
  const what = version !== undefined ? `response model "${name}" version ${version}` : `response model "${name}"`;
  if (path) throw unprocessable('unknown_response_model', `no ${what}`, [{ path, message: `no ${what}` }]);
  throw notFound(what);
}
