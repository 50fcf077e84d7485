import { Client, Connection } from '@temporalio/client';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { createDb } from '../../lib/db.js';

/**
 * package.json `overrides` hold three transitive packages at releases that run on Node 20 (the
 * newest want Node 22): @fastify/swagger-ui's @fastify/static (and so content-disposition 1.x)
 * and fastify's light-my-request (and so cookie 1.x). These are the code paths of ours that use
 * them (content-disposition serves only @fastify/static's reply.download, which we never call).
 */

describe('dependencies held at Node 20 releases', () => {
  it('serves the interactive API docs (@fastify/swagger-ui through @fastify/static)', async () => {
    // Nothing here reaches the database or Temporal: both are lazy.
    const db = createDb('postgresql://nobody:nothing@127.0.0.1:1/none');
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const app = await buildApi({ deps: { db, temporal }, apiKeys: new Map(), logLevel: 'silent' });
    try {
      const page = await app.inject({ method: 'GET', url: '/docs/' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('swagger-ui');
      const style = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css' });
      expect(style.statusCode).toBe(200);
      expect(style.headers['content-type']).toMatch(/^text\/css/);
    } finally {
      await app.close();
      await db.$disconnect();
    }
  });

  it('injects requests with cookies and reads the cookies a response sets (light-my-request with cookie)', async () => {
    const app = Fastify();
    app.get('/echo', async (request, reply) => {
      void reply.header('set-cookie', ['session=abc; Path=/; HttpOnly', 'theme=dark']);
      return { cookie: request.headers.cookie };
    });
    const answer = await app.inject({ method: 'GET', url: '/echo', cookies: { team: 'east west', role: 'officer' } });
    await app.close();
    expect(answer.json()).toEqual({ cookie: 'team=east%20west; role=officer' });
    expect(answer.cookies.map(({ name, value, httpOnly }) => ({ name, value, httpOnly }))).toEqual([
      { name: 'session', value: 'abc', httpOnly: true },
      { name: 'theme', value: 'dark', httpOnly: undefined },
    ]);
  });
});
