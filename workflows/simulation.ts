import { ApplicationFailure, CancellationScope, ContinueAsNew, continueAsNew, isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SimulationActivities } from '../api/services/simulation-chunks.js';
import { cancelSimulationSignal, SimulationStatus, type SimulationInput } from './simulation-messages.js';

/**
 * A strategy simulation (POST /api/v1/simulations), one workflow per Simulation row. It runs the
 * simulation's chunks of cases a few at a time (api/services/simulation-chunks.ts): each chunk
 * adds its totals to the row and marks itself done in one transaction, so a chunk retried after a
 * worker died counts once. When every chunk is in, the totals are summarized into the row.
 * POST .../cancel signals it to stop after the chunks in flight and mark the row cancelled (so does
 * a cancellation of the workflow, from the Temporal CLI).
 */

/** Chunks at once: two keep a two-core worker busy without starving its other queues. */
const chunksInFlight = 2;

const chunks = proxyActivities<SimulationActivities>({
  // A chunk is sized to seconds of work; the timeout only bounds a stuck one.
  startToCloseTimeout: '30 minutes',
  // It heartbeats between slices of a second or so: a dead worker's chunk moves on within a minute,
  // and a cancel reaches a running chunk.
  heartbeatTimeout: '1 minute',
  // The simulator is pure: a chunk failing three times fails the same way a fourth.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
});

const jobs = proxyActivities<SimulationActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function simulationWorkflow({ simulationId, nextChunk = 0 }: SimulationInput): Promise<SimulationStatus> {
  let cancelRequested = false;
  setHandler(cancelSimulationSignal, () => {
    cancelRequested = true;
  });
  const cancelled = async () => {
    await jobs.endSimulation({ simulationId, status: SimulationStatus.cancelled });
    return SimulationStatus.cancelled;
  };
  try {
    const { chunksTotal } = await jobs.beginSimulation({ simulationId });
    for (let first = nextChunk; first < chunksTotal; first += chunksInFlight) {
      if (cancelRequested) return await cancelled();
      if (first > nextChunk && workflowInfo().continueAsNewSuggested) await continueAsNew<typeof simulationWorkflow>({ simulationId, nextChunk: first });
      const wave = Array.from({ length: Math.min(chunksInFlight, chunksTotal - first) }, (_, index) => first + index);
      await Promise.all(wave.map((chunk) => chunks.runSimulationChunk({ simulationId, chunk })));
    }
    if (cancelRequested) return await cancelled();
    await jobs.finishSimulation({ simulationId });
    return SimulationStatus.completed;
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error;
    if (isCancellation(error)) {
      return await CancellationScope.nonCancellable(cancelled);
    }
    const message = error instanceof ApplicationFailure || error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    await jobs.endSimulation({ simulationId, status: SimulationStatus.failed, error: message });
    return SimulationStatus.failed;
  }
}
