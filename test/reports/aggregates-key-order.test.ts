import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../testing/engine.js';

/**
 * The report aggregates' triggers take their group rows in key order, table after table in the
 * order of the triggers' names (migration aggregate_triggers_key_order), so two writes never wait
 * on each other's group rows in a cycle: an import's batch of cases against another batch or a
 * projection (40P01 in the bench), a case moving from one group to another against one moving back.
 *
 * Two ways to see it without racing the machine's speed: the order in which one statement writes
 * the group rows, logged by a trigger on each aggregate table; and two transactions made to
 * interleave at the worst point by advisory locks (each waits at a barrier, after its first
 * row's triggers, until the other has passed its own), which deadlocked with the row-level triggers.
 */

let engine: Engine;
let strategyId: string;

/** The key a group row is locked under, comparable as text in the order the triggers sort by. */
const logTriggerSql = `
  CREATE TABLE "test_group_log" ("seq" BIGSERIAL PRIMARY KEY, "tx" BIGINT NOT NULL DEFAULT txid_current(), "tbl" TEXT NOT NULL, "key" TEXT NOT NULL);
  CREATE FUNCTION "test_group_logged"() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO "test_group_log" ("tbl", "key")
    SELECT TG_TABLE_NAME, CASE TG_TABLE_NAME
      WHEN 'AgingOpen' THEN row->>'currency' || ' ' || (row->>'dueSince')
      WHEN 'LiquidationCohort' THEN row->>'cohort' || ' ' || (row->>'currency')
      ELSE row->>'key' END
    FROM (SELECT to_jsonb(NEW) AS row) r;
    RETURN NULL;
  END $$;
  CREATE TRIGGER "AgingOpen_test_log" AFTER INSERT OR UPDATE ON "AgingOpen" FOR EACH ROW EXECUTE FUNCTION "test_group_logged"();
  CREATE TRIGGER "LiquidationCohort_test_log" AFTER INSERT OR UPDATE ON "LiquidationCohort" FOR EACH ROW EXECUTE FUNCTION "test_group_logged"();
  CREATE TRIGGER "RecoveryGroup_test_log" AFTER INSERT OR UPDATE ON "RecoveryGroup" FOR EACH ROW EXECUTE FUNCTION "test_group_logged"();
  CREATE TRIGGER "RollRateCases_test_log" AFTER INSERT OR UPDATE ON "RollRateCases" FOR EACH ROW EXECUTE FUNCTION "test_group_logged"();`;

/**
 * After a case row's own triggers (its name sorts after theirs), the first row a transaction
 * inserts (setting test.me to 1 or 2) lets the other go (its advisory lock) and waits for the
 * other's (held by the other session until it reaches the same point).
 */
const barrierSql = `
  CREATE FUNCTION "test_barrier"() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    me INTEGER := NULLIF(current_setting('test.me', true), '')::int;
  BEGIN
    IF me IS NULL OR current_setting('test.passed', true) = 'yes' THEN RETURN NULL; END IF;
    PERFORM set_config('test.passed', 'yes', true);
    PERFORM pg_advisory_unlock(me);
    PERFORM pg_advisory_lock(3 - me);
    PERFORM pg_advisory_unlock(3 - me);
    RETURN NULL;
  END $$;
  CREATE TRIGGER "Case_zz_test_barrier" AFTER INSERT ON "Case" FOR EACH ROW EXECUTE FUNCTION "test_barrier"();`;

beforeAll(async () => {
  engine = await startEngine({ temporal: 'none' });
  strategyId = (await engine.db.strategy.create({ data: { key: 'order', version: 1, name: 'order v1', status: 'active', definition: { key: 'order', steps: [] } } })).id;
  await withClient((client) => client.query(logTriggerSql + barrierSql));
});
afterAll(() => engine?.stop());

async function withClient<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: engine.env.DATABASE_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** An account (one per case) in `currency`, delinquent `dpd` days: its case's aging, liquidation, recovery and roll-rate groups differ by both. */
async function account(id: string, currency: string, dpd: number): Promise<string> {
  const debtor = await engine.db.debtor.create({ data: { name: `Debtor ${id}`, timeZone: 'UTC' } });
  await engine.db.account.create({ data: { id, externalId: `EXT-${id}`, debtorId: debtor.id, currency, originalBalance: 10_000, balance: 10_000, daysPastDue: dpd } });
  return id;
}

/** One INSERT of several cases, in the order given. */
const insertCases = (client: pg.Client, cases: { id: string; accountId: string; currency: string }[]) =>
  client.query(
    `INSERT INTO "Case" ("id", "accountId", "strategyId", "balance", "currency", "startedAt", "updatedAt")
     SELECT c.id, c.account, $1, 10000, c.currency, '2026-03-10T12:00:00Z', now() FROM json_to_recordset($2::json) AS c(id TEXT, account TEXT, currency TEXT)`,
    [strategyId, JSON.stringify(cases.map(({ id, accountId, currency }) => ({ id, account: accountId, currency })))],
  );

/** The group rows one transaction wrote, in the order it wrote them. */
async function loggedSince(client: pg.Client, seq: number): Promise<{ tbl: string; key: string }[]> {
  return (await client.query<{ tbl: string; key: string }>(`SELECT "tbl", "key" FROM "test_group_log" WHERE "seq" > $1 ORDER BY "seq"`, [seq])).rows;
}
const lastSeq = async (client: pg.Client) => Number((await client.query<{ seq: string }>(`SELECT COALESCE(MAX("seq"), 0) AS seq FROM "test_group_log"`)).rows[0]!.seq);

/** Each table's rows together, the tables in trigger-name order, each table's keys ascending. */
function expectKeyOrder(log: { tbl: string; key: string }[], tables: string[]) {
  const runs = log.map((row) => row.tbl).filter((tbl, index, all) => index === 0 || all[index - 1] !== tbl);
  expect(runs).toEqual(tables);
  for (const table of tables) {
    const keys = log.filter((row) => row.tbl === table).map((row) => row.key);
    expect(keys, table).toEqual([...keys].sort());
  }
}

describe('the report aggregates take their group rows in key order', () => {
  it('for one statement inserting cases in the reverse of their groups\' order, and for a case moving to a group before its own', async () => {
    const cases = [
      { id: 'order-usd', accountId: await account('acc-order-usd', 'USD', 30), currency: 'USD' },
      { id: 'order-gbp', accountId: await account('acc-order-gbp', 'GBP', 20), currency: 'GBP' },
      { id: 'order-eur', accountId: await account('acc-order-eur', 'EUR', 10), currency: 'EUR' },
    ];
    await withClient(async (client) => {
      const before = await lastSeq(client);
      await insertCases(client, cases);
      const log = await loggedSince(client, before);
      expectKeyOrder(log, ['AgingOpen', 'LiquidationCohort', 'RecoveryGroup', 'RollRateCases']);
      expect(log.filter((row) => row.tbl === 'AgingOpen').map((row) => row.key)).toEqual(['EUR 2026-02-28', 'GBP 2026-02-18', 'USD 2026-02-08']);

      // USD → AUD: what the case took from its USD groups is given back after its AUD groups are taken.
      const moved = await lastSeq(client);
      await client.query(`UPDATE "Case" SET "currency" = 'AUD' WHERE "id" = 'order-usd'`);
      const moves = await loggedSince(client, moved);
      expectKeyOrder(moves, ['AgingOpen', 'LiquidationCohort', 'RecoveryGroup']);
      expect(moves.filter((row) => row.tbl === 'AgingOpen').map((row) => row.key)).toEqual(['AUD 2026-02-08', 'USD 2026-02-08']);
    });
  });

  it('so two transactions inserting cases of the same groups in opposite orders, interleaved at the worst point, both commit', async () => {
    const usd = [await account('acc-x-usd-1', 'USD', 5), await account('acc-x-usd-2', 'USD', 5)];
    const eur = [await account('acc-x-eur-1', 'EUR', 15), await account('acc-x-eur-2', 'EUR', 15)];
    await withClient((first) =>
      withClient(async (second) => {
        // Each session holds its own lock until its first row's triggers have run (test_barrier).
        await first.query('SELECT pg_advisory_lock(1)');
        await second.query('SELECT pg_advisory_lock(2)');
        const run = async (client: pg.Client, me: 1 | 2, rows: { id: string; accountId: string; currency: string }[]) => {
          await client.query('BEGIN');
          try {
            await client.query(`SELECT set_config('test.me', '${me}', true)`);
            await insertCases(client, rows);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
        };
        const outcomes = await Promise.allSettled([
          run(first, 1, [
            { id: 'x-usd-1', accountId: usd[0]!, currency: 'USD' },
            { id: 'x-eur-1', accountId: eur[0]!, currency: 'EUR' },
          ]),
          run(second, 2, [
            { id: 'x-eur-2', accountId: eur[1]!, currency: 'EUR' },
            { id: 'x-usd-2', accountId: usd[1]!, currency: 'USD' },
          ]),
        ]);
        expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? String((outcome.reason as { code?: string }).code ?? outcome.reason) : 'committed'))).toEqual(['committed', 'committed']);
      }),
    );
    // Both counted: two open cases in each of the two aging groups.
    const groups = await engine.db.$queryRaw<{ currency: string; cases: number }[]>`
      SELECT "currency", "cases" FROM "AgingOpen" WHERE ("currency", "dueSince") IN (('USD', DATE '2026-03-05'), ('EUR', DATE '2026-02-23')) ORDER BY 1`;
    expect(groups).toEqual([
      { currency: 'EUR', cases: 2 },
      { currency: 'USD', cases: 2 },
    ]);
  });

  it('and the groups kept through those statements equal the rows (the rebuilds\' figures)', async () => {
    const tables = ['AgingOpen', 'LiquidationCohort', 'LiquidationCollected', 'RecoveryGroup', 'RollRateCases'];
    // A group a case left keeps a row of zeros; a rebuild has none.
    const figures = (client: pg.Client) =>
      Promise.all(
        tables.map(async (table) =>
          (await client.query<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM "${table}" t`)).rows
            .map(({ row }) => row)
            .filter((row) => Object.entries(JSON.parse(row) as Record<string, unknown>).some(([column, value]) => ['cases', 'placed', 'collected', 'principal', 'interest', 'fees', 'paying'].includes(column) && Number(value) !== 0))
            .sort(),
        ),
      );
    await withClient(async (client) => {
      const kept = await figures(client);
      await client.query('BEGIN');
      await client.query('SELECT "aging_rebuild"(), "liquidation_rebuild"(), "recovery_rebuild"(), "roll_rate_rebuild"()');
      const rebuilt = await figures(client);
      await client.query('ROLLBACK');
      expect(kept).toEqual(rebuilt);
      expect(kept[0]!.length).toBeGreaterThan(3);
    });
  });
});
