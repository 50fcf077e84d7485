import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ensureTemporalTestServer } from '../../lib/temporal-binaries.js';
import { bundlerOptions, workflowsPath } from '../../worker/workflows-path.js';

/** A time-skipping test server from the pinned binary; time skipping is global, so one per file. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = await ensureTemporalTestServer();
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow code bundled once per test file (bundling takes seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, ...bundlerOptions, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
  return bundle;
}
