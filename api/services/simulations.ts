import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { ZChannelCosts, type SimulationSummary } from '../../domain/simulation/contract.js';
import type { TSegmentRule, TSegmentRuleSet } from '../../domain/segments.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { chunkStarts, openCases } from '../../records/simulated-cases.js';
import { cancelSimulationSignal, finishedSimulationStatuses, SimulationStatus, simulationTaskQueue, simulationWorkflowId, type PlannedArm, type SimulationPlan } from '../../workflows/simulation-messages.js';
import { simulationWorkflow } from '../../workflows/simulation.js';
import { ApiError, conflict, notFound, unprocessable, type FieldProblem } from '../errors.js';
import { ZInstant } from '../schemas.js';
import { findResponseModel, ZResponseModelName } from './response-models.js';
import { activeSegmentRules } from './segments.js';
import { StrategyStatus, toVersion, validDefinition } from './strategies.js';

/**
 * Strategy simulations (POST /api/v1/simulations): the request is checked and resolved here —
 * arms to stored strategy versions (or a draft's definition), the model to its version, the scope
 * to the open cases it holds today — and kept as the Simulation row's plan; the simulation
 * workflow (workflows/simulation.ts) runs it in chunks and writes the summary into the row.
 */

const ZKey = z.string().trim().min(1).max(64);

/** One arm: a stored strategy version (`strategy`, `version`; the active one without `version`) or an unsaved `definition`. */
export const ZSimulationArm = z
  .object({
    strategy: ZKey.optional(),
    version: z.number().int().min(1).max(2_147_483_647).optional(),
    /** A strategy definition not saved yet (the editor's draft). */
    definition: z.record(z.string(), z.unknown()).optional(),
    label: z.string().trim().min(1).max(40).optional(),
  })
  .strict();

export const maxRuns = 1000;
/** Case-runs-arms one simulation may ask for: 10,000 cases x 1,000 runs x 2 arms, about an hour of a worker. */
export const maxWork = 20_000_000;
/**
 * Case-runs-arms per chunk: several seconds of the simulator, so a chunk's fixed costs (reading
 * its cases, adding its totals to the row) stay small beside its work; at least
 * `minCasesPerChunk` cases, since those fixed costs grow with runs, not cases.
 */
export const chunkWork = 20_000;
export const minCasesPerChunk = 25;

export const ZSimulationRequest = z
  .object({
    /** One or two arms; the second is compared with the first on the same draws. */
    arms: z.array(ZSimulationArm).min(1).max(2).optional(),
    /** Or the champion and challenger of this segment's active split. */
    split: ZKey.optional(),
    /** The open cases of accounts in this portfolio. */
    portfolio: ZKey.optional(),
    /** The open cases this segment's rule enrolled (the split's segment when `split` is given). */
    segment: ZKey.optional(),
    /** The open cases on any version of this strategy. */
    strategy: ZKey.optional(),
    runs: z.number().int().min(1, 'at least 1 run').max(maxRuns, `at most ${maxRuns} runs`),
    horizonDays: z.number().int().min(1).max(730).default(180),
    seed: z.number().int().min(0).max(2_147_483_647).default(1),
    /** When every simulated case starts; now by default. */
    startedAt: ZInstant.optional(),
    /** What a contact costs per channel, minor units. */
    costs: ZChannelCosts.default({}),
    /** Cases per chunk of work (a person's cases stay in one chunk); sized to a few seconds of the simulator by default. */
    chunkCases: z.number().int().min(1).max(100_000).optional(),
    model: z.object({ name: ZResponseModelName, version: z.number().int().min(1).max(2_147_483_647).optional() }).strict(),
  })
  .strict();
export type TSimulationRequest = z.infer<typeof ZSimulationRequest>;

const invalid = (path: string, message: string) => unprocessable('invalid_simulation', `${path}: ${message}`, [{ path, message }]);

async function storedVersion(db: Db, key: string, version: number | undefined, path: string) {
  const row = version !== undefined ? await db.strategy.findUnique({ where: { key_version: { key, version } } }) : await db.strategy.findFirst({ where: { key, status: StrategyStatus.active }, orderBy: { version: 'desc' } });
  if (row) return toVersion(row);
  const any = await db.strategy.findFirst({ where: { key }, select: { id: true } });
  if (!any) throw invalid(`${path}.strategy`, `no strategy "${key}"`);
  throw version !== undefined ? invalid(`${path}.version`, `strategy "${key}" has no version ${version}`) : invalid(`${path}.strategy`, `strategy "${key}" has no active version; name one`);
}

async function armOf(db: Db, arm: z.infer<typeof ZSimulationArm>, index: number): Promise<PlannedArm> {
  const path = `body.arms.${index}`;
  if ((arm.strategy === undefined) === (arm.definition === undefined)) throw invalid(path, 'name a stored strategy (`strategy`, optionally `version`) or give a `definition`, not both');
  if (arm.definition !== undefined) {
    if (arm.version !== undefined) throw invalid(`${path}.version`, 'a definition has no version');
    try {
      return { label: arm.label ?? 'draft', strategy: null, definition: validDefinition(arm.definition) };
    } catch (error) {
      if (error instanceof ApiError && error.fields) {
        throw unprocessable('invalid_strategy', error.message, error.fields.map((field) => ({ path: `${path}.definition${field.path ? `.${field.path}` : ''}`, message: field.message })));
      }
      throw error;
    }
  }
  const stored = await storedVersion(db, arm.strategy!, arm.version, path);
  return { label: arm.label ?? `${stored.key}@${stored.version}`, strategy: { key: stored.key, version: stored.version }, definition: stored.definition };
}

/** The segment rule named `split`: the portfolio's own rules first (when a portfolio is named), then the active global ones. */
async function splitRule(db: Db, split: string, portfolio: string | undefined): Promise<TSegmentRule> {
  const own = portfolio ? await db.portfolio.findUnique({ where: { key: portfolio }, select: { segmentRules: true } }) : null;
  const global = await activeSegmentRules(db);
  const rule = [...((own?.segmentRules as TSegmentRuleSet | null)?.segments ?? []), ...(global?.rules.segments ?? [])].find((segment) => segment.id === split);
  if (!rule) throw invalid('body.split', `no segment "${split}" in the active segment rules`);
  if (!rule.challenger) throw invalid('body.split', `segment "${split}" has no champion/challenger split`);
  return rule;
}

async function armsOf(db: Db, request: TSimulationRequest): Promise<PlannedArm[]> {
  if ((request.arms === undefined) === (request.split === undefined)) throw invalid('body.arms', 'give `arms` (one or two strategy versions) or `split` (a segment with a champion and a challenger), one of them');
  if (request.arms) {
    const arms: PlannedArm[] = [];
    for (const [index, arm] of request.arms.entries()) arms.push(await armOf(db, arm, index));
    if (arms.length === 2 && arms[0]!.label === arms[1]!.label) throw invalid('body.arms.1.label', `both arms are labelled "${arms[0]!.label}"; give one a label of its own`);
    return arms;
  }
  const rule = await splitRule(db, request.split!, request.portfolio);
  const champion = await storedVersion(db, rule.strategy, undefined, 'body.split');
  const challenger = await storedVersion(db, rule.challenger!.strategy, undefined, 'body.split');
  return [
    { label: 'champion', strategy: { key: champion.key, version: champion.version }, definition: champion.definition },
    { label: 'challenger', strategy: { key: challenger.key, version: challenger.version }, definition: challenger.definition },
  ];
}

export interface SimulationView {
  id: string;
  status: string;
  createdAt: Date;
  createdBy: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  plan: SimulationPlan;
  cases: number;
  chunksDone: number;
  chunksTotal: number;
  summary: SimulationSummary | null;
}

type Row = { id: string; status: string; createdAt: Date; createdBy: string; startedAt: Date | null; finishedAt: Date | null; error: string | null; plan: unknown; caseIds?: string[]; chunksDone: number; chunksTotal: number; summary: unknown };
const toView = (row: Row, cases: number): SimulationView => ({
  id: row.id,
  status: row.status,
  createdAt: row.createdAt,
  createdBy: row.createdBy,
  startedAt: row.startedAt,
  finishedAt: row.finishedAt,
  error: row.error,
  plan: row.plan as SimulationPlan,
  cases,
  chunksDone: row.chunksDone,
  chunksTotal: row.chunksTotal,
  summary: (row.summary as SimulationSummary | null) ?? null,
});

/** Checks and resolves a request, stores it and starts its workflow. */
export async function startSimulation({ db, temporal, request, actor, now = Date.now() }: { db: Db; temporal: Client; request: TSimulationRequest; actor: string; now?: number }): Promise<SimulationView> {
  const arms = await armsOf(db, request);
  const model = await findResponseModel(db, request.model, request.model.version !== undefined ? 'body.model.version' : 'body.model.name');
  const segment = request.segment ?? request.split;
  const scope = { ...(request.portfolio ? { portfolio: request.portfolio } : {}), ...(segment ? { segment } : {}), ...(request.strategy ? { strategy: request.strategy } : {}) };
  const cases = await openCases(db, scope);
  const caseIds = cases.map((each) => each.caseId);
  if (caseIds.length === 0) {
    const path = request.segment ? 'body.segment' : request.split ? 'body.split' : request.strategy ? 'body.strategy' : request.portfolio ? 'body.portfolio' : 'body';
    const problems: FieldProblem[] = [{ path, message: 'no open cases to simulate' }];
    throw unprocessable('no_cases', `${path}: no open cases to simulate`, problems);
  }
  const work = caseIds.length * request.runs * arms.length;
  if (work > maxWork) throw invalid('body.runs', `${caseIds.length} cases x ${request.runs} runs x ${arms.length} arm(s) is more than ${maxWork} case-runs; ask for fewer runs or a smaller scope`);
  const starts = chunkStarts(cases, request.chunkCases ?? Math.max(minCasesPerChunk, Math.floor(chunkWork / (request.runs * arms.length))));
  const plan: SimulationPlan = {
    arms,
    scope,
    ...(request.split ? { split: request.split } : {}),
    runs: request.runs,
    horizonDays: request.horizonDays,
    seed: request.seed,
    startedAt: request.startedAt ? Date.parse(request.startedAt) : now,
    costs: request.costs,
    model: { name: model.name, version: model.version },
  };
  const row = await db.$transaction(async (tx) => {
    const created = await tx.simulation.create({
      data: { plan: plan as unknown as Prisma.InputJsonValue, modelId: model.id, caseIds, chunkStarts: starts, chunksTotal: starts.length, createdBy: actor },
    });
    await tx.auditEvent.create({
      data: { actor, action: 'simulation_requested', data: { simulation: created.id, arms: arms.map((arm) => ({ label: arm.label, strategy: arm.strategy })), model: plan.model, cases: caseIds.length, runs: plan.runs } },
    });
    return created;
  });
  try {
    await temporal.workflow.start(simulationWorkflow, { taskQueue: simulationTaskQueue, workflowId: simulationWorkflowId(row.id), args: [{ simulationId: row.id }] });
  } catch (error) {
    await db.simulation.update({ where: { id: row.id }, data: { status: SimulationStatus.failed, error: 'the workflow service did not take the simulation', finishedAt: new Date() } });
    throw error;
  }
  return toView(row, caseIds.length);
}

export async function requireSimulation(db: Db, id: string): Promise<SimulationView> {
  const row = await db.simulation.findUnique({ where: { id } });
  if (!row) throw notFound(`simulation "${id}"`);
  return toView(row, row.caseIds.length);
}

/** The newest simulations first, without their case lists. */
export async function listSimulations(db: Db, { limit }: { limit: number }): Promise<SimulationView[]> {
  const rows = await db.simulation.findMany({
    orderBy: { createdAt: 'desc' },
    take: limit,
    omit: { caseIds: true, totals: true },
  });
  const counts = await db.$queryRaw<Array<{ id: string; cases: number }>>`SELECT "id", COALESCE(cardinality("caseIds"), 0)::int AS cases FROM "Simulation" WHERE "id" = ANY(${rows.map((row) => row.id)}::text[])`;
  const casesOf = new Map(counts.map((count) => [count.id, count.cases]));
  return rows.map((row) => toView(row, casesOf.get(row.id) ?? 0));
}

/** Asks the workflow to stop; it marks the row cancelled between chunks. A finished simulation is 409. */
export async function cancelSimulation({ db, temporal, id, actor }: { db: Db; temporal: Client; id: string; actor: string }): Promise<SimulationView> {
  const simulation = await requireSimulation(db, id);
  if (finishedSimulationStatuses.includes(simulation.status as SimulationStatus)) throw conflict('simulation_finished', `simulation "${id}" is already ${simulation.status}`);
  try {
    await temporal.workflow.getHandle(simulationWorkflowId(id)).signal(cancelSimulationSignal);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    // No workflow to stop (it never started, or ended without writing its end): the row says so.
    await db.simulation.updateMany({ where: { id, status: { notIn: [...finishedSimulationStatuses] } }, data: { status: SimulationStatus.cancelled, finishedAt: new Date() } });
  }
  await db.auditEvent.create({ data: { actor, action: 'simulation_cancelled', data: { simulation: id } } });
  return requireSimulation(db, id);
}
