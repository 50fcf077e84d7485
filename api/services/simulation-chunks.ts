import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { SimulatedCase, SimulationChunkInput, SimulationTotals, TResponseModel } from '../../domain/simulation/contract.js';
import { casesByPerson, simulateChunk } from '../../domain/simulation/simulate.js';
import { summarize } from '../../domain/simulation/summarize.js';
import { addTotals } from '../../domain/simulation/totals.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db.js';
import { simulatedCases } from '../../records/simulated-cases.js';
import { finishedSimulationStatuses, SimulationStatus, type SimulationPlan } from '../../workflows/simulation-messages.js';

/**
 * The simulation workflow's activities (workflows/simulation.ts): begin, one chunk of cases, and
 * the end. A chunk's totals are added to its Simulation row with the row locked, together with
 * the chunk's own row, so a retried chunk (a worker killed after the commit) finds itself done.
 */

export type SimulationActivities = ReturnType<typeof createSimulationActivities>;

const asJson = (value: unknown) => value as Prisma.InputJsonValue;

/** Case-runs-arms the simulator runs between two turns of the event loop: about a second. */
const sliceWork = 2_000;

/**
 * A chunk's persons in slices of about {@link sliceWork}, simulated one after another with the
 * event loop's turn between them: the worker's connections, heartbeats and other activities live
 * on, the heartbeat carries Temporal's cancel, and the totals add up as if simulated at once.
 */
async function simulateInSlices(input: SimulationChunkInput): Promise<SimulationTotals> {
  const perCase = Math.max(1, input.runs * input.arms.length);
  let totals: SimulationTotals | null = null;
  let slice: SimulatedCase[] = [];
  const persons = casesByPerson(input.cases);
  for (const [index, person] of persons.entries()) {
    slice.push(...person);
    if (slice.length * perCase < sliceWork && index < persons.length - 1) continue;
    const part = simulateChunk({ ...input, cases: slice });
    totals = totals ? addTotals(totals, part) : part;
    slice = [];
    Context.current().heartbeat();
    await yieldToEventLoop();
    if (Context.current().cancellationSignal.aborted) throw new CancelledFailure('simulation cancelled');
  }
  return totals ?? simulateChunk({ ...input, cases: [] });
}

export function createSimulationActivities({ db }: { db: Db }) {
  async function requireSimulation(simulationId: string) {
    const row = await db.simulation.findUnique({ where: { id: simulationId }, include: { model: { select: { body: true } } } });
    if (!row) throw ApplicationFailure.nonRetryable(`simulation ${simulationId} not found`, 'SimulationNotFound');
    return row;
  }

  return {
    async beginSimulation({ simulationId }: { simulationId: string }): Promise<{ chunksTotal: number }> {
      const row = await requireSimulation(simulationId);
      if (row.status === SimulationStatus.queued) await db.simulation.update({ where: { id: simulationId }, data: { status: SimulationStatus.running, startedAt: new Date() } });
      return { chunksTotal: row.chunksTotal };
    },

    async runSimulationChunk({ simulationId, chunk }: { simulationId: string; chunk: number }): Promise<void> {
      const done = await db.simulationChunk.findUnique({ where: { simulationId_chunk: { simulationId, chunk } }, select: { chunk: true } });
      if (done) return;
      const row = await requireSimulation(simulationId);
      if (finishedSimulationStatuses.includes(row.status as SimulationStatus)) return;
      const plan = row.plan as unknown as SimulationPlan;
      const ids = row.caseIds.slice(row.chunkStarts[chunk] ?? row.caseIds.length, row.chunkStarts[chunk + 1] ?? row.caseIds.length);
      const cases = await simulatedCases(db, ids, plan.startedAt);
      const totals = await simulateInSlices({
        cases,
        arms: plan.arms.map(({ label, definition }) => ({ label, definition })),
        model: row.model.body as TResponseModel,
        runs: plan.runs,
        seed: plan.seed,
        startedAt: plan.startedAt,
        horizonDays: plan.horizonDays,
        costs: plan.costs,
      });
      await db.$transaction(
        async (tx) => {
          // Chunks finish side by side: the row lock makes their additions one after another.
          const [locked] = await tx.$queryRaw<Array<{ totals: SimulationTotals | null }>>`SELECT "totals" FROM "Simulation" WHERE "id" = ${simulationId} FOR UPDATE`;
          const again = await tx.simulationChunk.findUnique({ where: { simulationId_chunk: { simulationId, chunk } }, select: { chunk: true } });
          if (!locked || again) return;
          await tx.simulationChunk.create({ data: { simulationId, chunk, cases: cases.length } });
          await tx.simulation.update({
            where: { id: simulationId },
            data: { totals: asJson(locked.totals ? addTotals(locked.totals, totals) : totals), chunksDone: { increment: 1 } },
          });
        },
        // Waits its turn behind the other chunk's addition; a few MB of totals take a moment to write.
        { maxWait: 60_000, timeout: 120_000 },
      );
    },

    /** Summarizes the totals of every chunk into the row: the simulation is complete. */
    async finishSimulation({ simulationId }: { simulationId: string }): Promise<void> {
      const row = await requireSimulation(simulationId);
      if (finishedSimulationStatuses.includes(row.status as SimulationStatus)) return;
      const totals = row.totals as SimulationTotals | null;
      if (!totals) throw ApplicationFailure.nonRetryable(`simulation ${simulationId} has no totals`, 'SimulationWithoutTotals');
      const plan = row.plan as unknown as SimulationPlan;
      await db.simulation.updateMany({
        where: { id: simulationId, status: { notIn: [...finishedSimulationStatuses] } },
        data: { status: SimulationStatus.completed, summary: asJson(summarize(totals, plan.arms)), finishedAt: new Date() },
      });
    },

    /** Ends a simulation that will not complete (cancelled, or failed with `error`). */
    async endSimulation({ simulationId, status, error }: { simulationId: string; status: typeof SimulationStatus.cancelled | typeof SimulationStatus.failed; error?: string }): Promise<void> {
      await db.simulation.updateMany({
        where: { id: simulationId, status: { notIn: [...finishedSimulationStatuses] } },
        data: { status, finishedAt: new Date(), ...(error ? { error: error.slice(0, 1000) } : {}) },
      });
    },
  };
}
