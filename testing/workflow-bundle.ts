import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { failureConverterPath } from '../lib/data-converter.js';
import { bundlerOptions, workflowsPath } from '../worker/workflows-path.js';

const bundles = new Map<boolean, Promise<WorkflowBundleWithSourceMap>>();
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };

/**
 * The case workflows bundled once per process (bundling takes seconds). An encrypted engine's
 * bundle carries the failure converter, so workflow failures are encrypted too.
 */
export function caseWorkflowBundle({ encrypted = false }: { encrypted?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(encrypted);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, ...bundlerOptions, ...(encrypted ? { failureConverterPath } : {}), logger: quiet });
    bundles.set(encrypted, bundle);
  }
  return bundle;
}
