import { fileURLToPath } from 'node:url';

/** The workflow bundle's entry point, for workers and for tests that bundle the workflows. */
export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
