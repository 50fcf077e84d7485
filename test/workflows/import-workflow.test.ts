import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportActivities } from '../../api/services/import-slices.js';
import { startEngine, type Engine } from '../../testing/engine.js';
import { caseWorkflowBundle } from '../../testing/workflow-bundle.js';
import { importWorkflow } from '../../workflows/import.js';
import { uploadReceivingSignal, uploadSettledSignal, type ImportSlice } from '../../workflows/import-messages.js';

/**
 * The import workflow's own logic on the time-skipping server, its activities replaced by
 * recorders (this file is about the workflow; the activities run for real in test/intake/):
 * an API that falls silent mid-upload has its job settled from the database, a slow upload that
 * keeps saying so is waited for, and slices run until the file ends, each from the cursor the
 * last one answered.
 */

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ temporal: 'time-skipping' });
});
afterAll(() => engine?.stop());

function recordingImport(slices: ImportSlice[], settled: 'queued' | 'failed') {
  const calls: string[] = [];
  const activities: ImportActivities = {
    async importSlice({ afterLine }) {
      calls.push(`slice after ${afterLine}`);
      return slices.shift() ?? { status: 'running', committedLine: afterLine, done: true };
    },
    async finishImport() {
      calls.push('finish');
    },
    async settleUpload() {
      calls.push('settle');
      return settled;
    },
    async adoptRunnerJob() {
      calls.push('adopt');
      return 'adopted';
    },
  };
  return { activities, calls };
}

async function run(activities: ImportActivities, drive: (workflowId: string, taskQueue: string) => Promise<void>) {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await Worker.create({ connection: engine.testEnv.nativeConnection, taskQueue, workflowBundle: await caseWorkflowBundle(), activities });
  await worker.runUntil(drive(`import-${randomUUID()}`, taskQueue));
}

describe('the import workflow', () => {
  it('gives an upload up when the API falls silent, as the database says', async () => {
    const { activities, calls } = recordingImport([], 'failed');
    await run(activities, async (workflowId, taskQueue) => {
      const handle = await engine.testEnv.client.workflow.start(importWorkflow, { taskQueue, workflowId, args: [{ jobId: 'job-1', batchSize: 10, concurrency: 2 }] });
      await handle.result();
    });
    expect(calls).toEqual(['settle']);
  });

  it('waits for a slow upload that keeps saying so, then runs slices from each answered cursor to the end', async () => {
    const slices: ImportSlice[] = [
      { status: 'running', committedLine: 200, done: false },
      { status: 'running', committedLine: 400, done: false },
      { status: 'running', committedLine: 450, done: true },
    ];
    const { activities, calls } = recordingImport(slices, 'queued');
    await run(activities, async (workflowId, taskQueue) => {
      const handle = await engine.testEnv.client.workflow.start(importWorkflow, { taskQueue, workflowId, args: [{ jobId: 'job-2', batchSize: 200, concurrency: 2 }] });
      // Five minutes of upload, a sign every minute: longer than the silence limit, never silent for it.
      for (let minute = 0; minute < 5; minute++) {
        await engine.testEnv.sleep('1 minute');
        await handle.signal(uploadReceivingSignal);
      }
      expect(calls).toEqual([]);
      await handle.signal(uploadSettledSignal, { status: 'queued' });
      await handle.result();
    });
    expect(calls).toEqual(['slice after 0', 'slice after 200', 'slice after 400', 'finish']);
  });

  it("takes over a previous runner's job without waiting for an upload", async () => {
    const { activities, calls } = recordingImport([{ status: 'running', committedLine: 80, done: true }], 'queued');
    await run(activities, async (workflowId, taskQueue) => {
      await engine.testEnv.client.workflow.execute(importWorkflow, { taskQueue, workflowId, args: [{ jobId: 'job-3', batchSize: 20, concurrency: 2, adopt: true }] });
    });
    expect(calls).toEqual(['adopt', 'slice after 0', 'finish']);
  });
});
