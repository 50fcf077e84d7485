import { z } from 'zod';
import type { ComplianceFacts, ContactChannel, ContactPoint } from '../case-facts.js';
import type { PreviewEntry } from '../preview.js';
import type { TStrategyDefinition } from '../strategy.js';

/**
 * The simulator's shapes, shared by the pure simulator (domain/simulation), the simulation
 * workflow that fans it out in chunks, the API, the CLI and the console. A chunk returns sums per
 * run and arm, which add up across chunks; only the whole is summarized into intervals.
 */

/** A case as the simulator starts it: what the projection knows of an open account. */
export interface SimulatedCase {
  caseId: string;
  /** The person behind the account: the contact rules count per person, as the engine does. */
  personKey: string;
  /** Minor units. */
  balance: number;
  daysPastDue: number;
  timeZone: string;
  contacts: Partial<Record<ContactChannel, ContactPoint>>;
  compliance?: ComplianceFacts;
}

/** What a debtor may do in answer to a contact (or on a day with none, for `background`). */
export const responseKinds = ['pay_full', 'pay_part', 'promise_kept', 'promise_broken', 'reply', 'dispute', 'opt_out', 'bounce'] as const;
export type ResponseKind = (typeof responseKinds)[number];

const probability = z.number().min(0).max(1);
export const ZResponseRates = z.object(Object.fromEntries(responseKinds.map((kind) => [kind, probability])) as Record<ResponseKind, typeof probability>);
export type TResponseRates = z.infer<typeof ZResponseRates>;

/** A stratum's key: any field left out matches every value. Bands are the model's own labels. */
export const ZStratumKey = z.object({
  action: z.string().max(40).optional(),
  channel: z.string().max(40).optional(),
  balanceBand: z.string().max(40).optional(),
  daysPastDueBand: z.string().max(40).optional(),
  daysSinceContactBand: z.string().max(40).optional(),
});

/**
 * Response probabilities per contact, by stratum, with the number of observations each rate
 * stands on (a fitted model shrinks thin strata toward the base rates by `priorStrength`).
 */
export const ZResponseModel = z.object({
  name: z.string().min(1).max(100),
  version: z.number().int().min(1),
  /** Days after a contact within which its response is drawn. */
  responseWindowDays: z.number().int().min(1).max(60),
  /** Share of the balance a part payment pays. */
  partShare: z.number().gt(0).lt(1),
  priorStrength: z.number().min(0),
  base: ZResponseRates,
  /** Chance per day that a case pays in full without any contact that day. */
  backgroundDailyPayFull: probability,
  strata: z.array(z.object({ key: ZStratumKey, rates: ZResponseRates, observations: z.number().int().min(0) })).max(10_000),
  fittedFrom: z.object({ from: z.string(), to: z.string(), cases: z.number().int().min(0) }).optional(),
});
export type TResponseModel = z.infer<typeof ZResponseModel>;

/** What a contact costs, in minor units, per channel the manager sets. */
export const ZChannelCosts = z.object({ email: z.number().int().min(0), sms: z.number().int().min(0), letter: z.number().int().min(0), call: z.number().int().min(0) }).partial();
export type TChannelCosts = z.infer<typeof ZChannelCosts>;

export interface SimulationArm {
  /** `champion`, `challenger`, `draft`, or the strategy's key@version. */
  label: string;
  definition: TStrategyDefinition;
}

/** One chunk of the work: some cases, every arm, every run, the same draws for every arm. */
export interface SimulationChunkInput {
  cases: SimulatedCase[];
  arms: SimulationArm[];
  model: TResponseModel;
  runs: number;
  /** The draws of run r for case c are a function of (seed, r, c.caseId) alone: chunking and arms do not change them. */
  seed: number;
  /** Epoch ms at which every simulated case starts. */
  startedAt: number;
  horizonDays: number;
  costs: TChannelCosts;
}

/** Sums over the chunk's cases for one run of one arm: they add up across chunks. */
export interface ArmRunTotals {
  cases: number;
  /** Minor units owed at the start. */
  balance: number;
  recovered: number;
  /** Recovered by the end of day d, for d = 0 … horizonDays. */
  recoveredByDay: number[];
  contacts: Record<string, number>;
  cost: number;
  /** Steps held, by the rule that held them. */
  holds: Record<string, number>;
  /** Cases by how they ended: paid, placed, timeline_complete, disputed, horizon, … */
  endings: Record<string, number>;
  /** Responses drawn, by kind (pay_full, reply, …; `background` for a payment without a contact). */
  responses: Record<string, number>;
}

/** totals[arm][run]. */
export type SimulationTotals = ArmRunTotals[][];

/** A figure across runs: the mean and a 95% interval (the 2.5th and 97.5th percentiles of the runs). */
export interface Estimate {
  mean: number;
  low: number;
  high: number;
}

export interface ArmSummary {
  label: string;
  recoveryRate: Estimate;
  recovered: Estimate;
  recoveredBy: { d30: Estimate; d60: Estimate; d90: Estimate };
  contactsPerCase: Estimate;
  costPerDollarCollected: Estimate;
  holds: Record<string, Estimate>;
  endings: Record<string, Estimate>;
  /** Recovery rate by day, for the curve. */
  curve: Array<{ day: number } & Estimate>;
}

export interface SimulationSummary {
  runs: number;
  cases: number;
  arms: ArmSummary[];
  /** With two arms: the second's recovery rate minus the first's, paired run by run (same draws). */
  difference?: Estimate;
}

/** A case's sequence of steps, holds and outcomes, for the fidelity test: the preview's entries plus responses drawn. */
export type SimulationTraceEntry = PreviewEntry | { at: string; response: ResponseKind; amount?: number };
