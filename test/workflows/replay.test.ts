import { readdir, readFile } from 'node:fs/promises';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { caseWorkflowBundle } from '../../testing/workflow-bundle.js';

/**
 * Every recorded history under test/histories must replay on today's workflow code without a
 * determinism error: a change that would break running cases fails here, before it ships.
 */

const folder = new URL('../histories/', import.meta.url);

describe('replay of recorded case histories', async () => {
  const files = (await readdir(folder)).filter((file) => file.endsWith('.json')).sort();

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s replays without a determinism error', async (file) => {
    const history = historyFromJSON(JSON.parse(await readFile(new URL(file, folder), 'utf8')));
    await expect(Worker.runReplayHistory({ workflowBundle: await caseWorkflowBundle() }, history, file)).resolves.toBeUndefined();
  });
});
