import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { testApiKeys, testKeys } from '../../testing/api-client.js';
import { startEngine, type Engine } from '../../testing/engine.js';

/**
 * GET /cases/:id asks the case's workflow while it reads the row (api/services/cases.ts `getCase`),
 * but a case with no row is a 404 that waits on nothing Temporal does: here Temporal never
 * answers a query at all (a promise that never settles), so a GET that waited would never come back.
 */

let engine: Engine;

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
});
afterAll(() => engine?.stop());

/** A Temporal client that takes every query and never answers it. */
function silentTemporal(): { temporal: Client; asked: string[] } {
  const asked: string[] = [];
  const handle = (workflowId: string) => ({
    query: () => {
      asked.push(workflowId);
      return new Promise<never>(() => undefined);
    },
  });
  return { temporal: { workflow: { getHandle: handle } } as unknown as Client, asked };
}

describe('GET /cases/:id of a case that does not exist', () => {
  it('answers 404 not_found without waiting for the workflow query', async () => {
    const { temporal } = silentTemporal();
    const app = await buildApi({ deps: { db: engine.db, temporal }, apiKeys: testApiKeys, logLevel: 'silent' });
    try {
      const answer = await app.inject({ method: 'GET', url: '/api/v1/cases/no-such-case', headers: { authorization: `Bearer ${testKeys.manager}` } });
      expect(answer.statusCode).toBe(404);
      expect(answer.json().error).toMatchObject({ code: 'not_found', message: expect.stringContaining('no-such-case') });
    } finally {
      await app.close();
    }
  });
});
