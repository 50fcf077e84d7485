import { fileURLToPath } from 'node:url';
import type { WorkerOptions } from '@temporalio/worker';

/** The workflow bundle's entry point, for workers and for tests that bundle the workflows. */
export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** What the worker loads once and shares between workflows: luxon (stateless for our use). */
const sharedLibraries = fileURLToPath(new URL('../workflows/shared-libraries.ts', import.meta.url));

/**
 * How every bundle of the workflows is built. Without preloading, each new workflow evaluates
 * luxon (a quarter of a megabyte) again in its own module scope and keeps its own copy in memory
 * while cached. The SDK freezes what a preload exports, so a workflow cannot change it for another.
 */
export const bundlerOptions = {
  preloadModules: [sharedLibraries],
} satisfies NonNullable<WorkerOptions['bundlerOptions']>;
