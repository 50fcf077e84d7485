import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { createDb, type Db } from '../../lib/db.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../lib/embedded-postgres.js';
import { freePort } from '../../lib/free-port.js';
import { applyMigrations } from '../../lib/migrations.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A dependency that is down is a 503 with Retry-After and a code naming it — an explained 5xx
 * the caller can act on — never an anonymous 500: Temporal unreachable, PostgreSQL recovering
 * from a crash, then PostgreSQL stopped.
 */

/**
 * What PostgreSQL answers every new connection while it replays its WAL after a crash: a FATAL
 * ErrorResponse with SQLSTATE 57P03 (cannot_connect_now) to the startup message, then it closes.
 * The chaos soak met it as a 500 on enrolments right after a PostgreSQL kill -9.
 */
async function recoveringPostgres() {
  const server = createServer((socket) => {
    socket.once('data', () => {
      const fields = Buffer.from('SFATAL\0VFATAL\0C57P03\0Mthe database system is not yet accepting connections\0DConsistent recovery state has not been yet reached.\0\0', 'utf8');
      const header = Buffer.alloc(5);
      header.write('E', 0);
      header.writeInt32BE(fields.length + 4, 1);
      socket.end(Buffer.concat([header, fields]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `postgresql://postgres:postgres@127.0.0.1:${(server.address() as AddressInfo).port}/dunning`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const key = 'unavailable-test-key-0123456789';
let dir: string;
let postgres: EmbeddedPostgresHandle;
let db: Db;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dunning-unavailable-'));
  postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
  await applyMigrations(postgres.url);
  db = createDb(postgres.url);
  await db.strategy.create({ data: { key: 's', version: 1, name: 's', definition: {} } }).then(async (strategy) => {
    const debtor = await db.debtor.create({ data: { name: 'x', timeZone: 'UTC' } });
    await db.account.create({ data: { id: 'a1', externalId: 'A1', debtorId: debtor.id, currency: 'USD', originalBalance: 100, balance: 100 } });
    await db.case.create({ data: { id: 'case-a1', accountId: 'a1', strategyId: strategy.id, balance: 100, currency: 'USD' } });
  });
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await postgres?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a dependency that is down', () => {
  it('answers 503 temporal_unavailable with Retry-After when Temporal cannot be reached', async () => {
    // A port nobody listens on; the client gives up after its own retries.
    const temporal = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500 }) });
    const app = await buildApi({ deps: { db, temporal }, apiKeys: new Map([[key, 'integration']]), logLevel: 'silent' });
    try {
      const answer = await app.inject({ method: 'POST', url: '/api/v1/cases/case-a1/payments', headers: { authorization: `Bearer ${key}` }, payload: { reference: 'P1', amount: 10 } });
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['retry-after']).toBe('5');
      expect(answer.json().error.code).toBe('temporal_unavailable');
    } finally {
      await app.close();
    }
  }, 60_000);

  it('answers 503 database_unavailable while PostgreSQL recovers from a crash', async () => {
    const recovering = await recoveringPostgres();
    const recoveringDb = createDb(recovering.url);
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const app = await buildApi({ deps: { db: recoveringDb, temporal }, apiKeys: new Map([[key, 'manager']]), logLevel: 'silent' });
    try {
      const body = { externalId: 'R1', strategy: 's', currency: 'USD', balance: 100, debtor: { name: 'x', email: 'x@example.com', timeZone: 'UTC' } };
      const answer = await app.inject({ method: 'POST', url: '/api/v1/accounts', headers: { authorization: `Bearer ${key}` }, payload: body });
      expect(answer.statusCode, answer.body).toBe(503);
      expect(answer.json().error.code).toBe('database_unavailable');
    } finally {
      await app.close();
      await recoveringDb.$disconnect();
      await recovering.close();
    }
  }, 60_000);

  it('answers 503 database_unavailable when PostgreSQL is stopped', async () => {
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const app = await buildApi({ deps: { db, temporal }, apiKeys: new Map([[key, 'integration']]), logLevel: 'silent' });
    await postgres.stop();
    try {
      const answer = await app.inject({ method: 'POST', url: '/api/v1/cases/case-a1/payments', headers: { authorization: `Bearer ${key}` }, payload: { reference: 'P1', amount: 10 } });
      expect(answer.statusCode, answer.body).toBe(503);
      expect(answer.json().error.code).toBe('database_unavailable');
    } finally {
      await app.close();
    }
  }, 60_000);
});
