/**
 * The bare-Temporal baseline: a workflow that does nothing and returns, started on its own task
 * queue by its own worker, so enrollment can be compared with plain `client.workflow.start`.
 */
export async function trivialWorkflow(): Promise<void> {
  // Intentionally empty: the cost measured is Temporal's own start and first task.
}

export const trivialTaskQueue = 'bench-trivial';
