import { defineSignal } from '@temporalio/workflow';
import type { TChannelCosts } from '../domain/simulation/contract.js';
import type { TStrategyDefinition } from '../domain/strategy.js';

/**
 * The simulation workflow's contract with the API (which starts and cancels it) and the worker
 * that runs it: task queue, id, input, the statuses of a Simulation row and the plan it keeps.
 * Side-effect free so the API can import it.
 */

/** Simulations run on a queue of their own: a long one never holds up the cases' activities. */
export const simulationTaskQueue = 'simulations';

export const simulationWorkflowId = (simulationId: string) => `simulation-${simulationId}`;

/**
 * Stop after the chunks in flight (POST .../cancel). A signal, not a workflow cancellation: the
 * chunks are seconds of work, and a cancelled activity that had not started yet made the
 * time-skipping test server fail the workflow's task (ACTIVITY_UNKNOWN), so the simulation never ended.
 */
export const cancelSimulationSignal = defineSignal('cancelSimulation');

export const SimulationStatus = { queued: 'queued', running: 'running', completed: 'completed', cancelled: 'cancelled', failed: 'failed' } as const;
export type SimulationStatus = (typeof SimulationStatus)[keyof typeof SimulationStatus];
export const simulationStatuses = Object.values(SimulationStatus);
export const finishedSimulationStatuses: readonly SimulationStatus[] = [SimulationStatus.completed, SimulationStatus.cancelled, SimulationStatus.failed];

export interface SimulationInput {
  simulationId: string;
  /** Set when continuing as new: chunks before it are done. */
  nextChunk?: number;
}

/** One arm as the request resolved it: the stored version it names (none for an unsaved draft) and its definition. */
export interface PlannedArm {
  label: string;
  strategy: { key: string; version: number } | null;
  definition: TStrategyDefinition;
}

/** What a simulation runs (Simulation.plan): everything a chunk needs besides its cases and the model. */
export interface SimulationPlan {
  arms: PlannedArm[];
  scope: { portfolio?: string; segment?: string; strategy?: string };
  /** The segment whose champion/challenger split chose the arms, when it did. */
  split?: string;
  runs: number;
  horizonDays: number;
  seed: number;
  /** Epoch ms at which every simulated case starts. */
  startedAt: number;
  costs: TChannelCosts;
  model: { name: string; version: number };
}
