import { readdir, readFile } from 'node:fs/promises';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { caseWorkflowBundle } from '../../testing/workflow-bundle.js';
import { patchGenerations } from '../../workflows/patches.js';

/**
 * Every recorded history under test/histories must replay on today's workflow code without a
 * determinism error: a change that would break running cases fails here, before it ships.
 */

const folder = new URL('../histories/', import.meta.url);
const workflowsFolder = new URL('../../workflows/', import.meta.url);

describe('replay of recorded case histories', async () => {
  const files = (await readdir(folder)).filter((file) => file.endsWith('.json')).sort();

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('reaches every patched() id in the workflow code', async () => {
    const sources = (await readdir(workflowsFolder, { recursive: true })).filter((file) => file.endsWith('.ts'));
    const ids = new Set<string>();
    for (const file of sources) {
      // `patchedOrCurrent('id')` (workflows/patches.ts) is `patched('id')` for cases started before code generations.
      for (const [, id] of (await readFile(new URL(file, workflowsFolder), 'utf8')).matchAll(/\bpatched(?:OrCurrent)?\('([^']+)'\)/g)) ids.add(id!);
    }
    const recorded = new Set<string>();
    for (const file of files) {
      const { events } = JSON.parse(await readFile(new URL(file, folder), 'utf8')) as { events: { markerRecordedEventAttributes?: { markerName: string; details: Record<string, { payloads: { data: string }[] }> } }[] };
      for (const marker of events.map((event) => event.markerRecordedEventAttributes)) {
        const data = marker?.markerName === 'core_patch' ? marker.details['patch-data']?.payloads[0]?.data : undefined;
        if (data) recorded.add((JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id);
      }
    }
    expect(ids.size).toBeGreaterThan(0);
    // A generation lists only ids the code takes (a typo there would be a patch no case ever skips).
    expect(patchGenerations.flat().filter((id) => !ids.has(id))).toEqual([]);
    expect([...ids].filter((id) => !recorded.has(id)).sort()).toEqual([]);
  });

  it('keeps zod out of the workflow bundle (each cached case would evaluate and hold its own copy: half its memory)', async () => {
    const { code } = await caseWorkflowBundle();
    expect(code).toContain('node_modules/luxon');
    expect(code).not.toContain('node_modules/zod');
  });

  it.each(files)('%s replays without a determinism error', async (file) => {
    const history = historyFromJSON(JSON.parse(await readFile(new URL(file, folder), 'utf8')));
    await expect(Worker.runReplayHistory({ workflowBundle: await caseWorkflowBundle() }, history, file)).resolves.toBeUndefined();
  });
});
