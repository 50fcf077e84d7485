// Offline migrations with Prisma's own schema engine compiled to WebAssembly
// (@prisma/schema-engine-wasm), talking to PostgreSQL through the pg driver adapter.
// It writes the standard `_prisma_migrations` table, so `prisma migrate deploy` stays compatible.
//
// The package's entry point does `import * as wasm from "./schema_engine_bg.wasm"`, which Node 20
// only accepts with --experimental-wasm-modules. We load the wasm-bindgen glue module instead and
// instantiate the .wasm ourselves, giving it the glue as its import object.
import { randomUUID } from 'node:crypto';
import { existsSync, type Dirent } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationDirectory, MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MIGRATIONS_DIR = join(projectRoot, 'prisma', 'migrations');
export const SCHEMA_PATH = join(projectRoot, 'prisma', 'schema.prisma');
const LOCKFILE = 'migration_lock.toml';

/** Where the schema and migrations live; the project's prisma/ folder by default (tests override). */
export interface MigrationPaths {
  migrationsDir?: string;
  schemaPath?: string;
}

type WasmExports = Record<string, unknown>;
// The project's TS lib has no DOM/WebAssembly typings: declare the one call we make.
const { WebAssembly: wasmApi } = globalThis as unknown as {
  WebAssembly: {
    instantiate(bytes: Uint8Array, imports: Record<string, object>): Promise<{ instance: { exports: WasmExports } }>;
  };
};

interface WasmGlue {
  __wbg_set_wasm(exports: WasmExports): void;
  SchemaEngine: {
    new: (options: { datamodels: [string, string][] | undefined }, log: (msg: string) => void,
      adapter: object) => Promise<SchemaEngine>;
  };
}

let engineModule: Promise<WasmGlue> | undefined;

/** Loads and instantiates the engine once per process (the glue keeps the instance in module state). */
function loadEngineModule(): Promise<WasmGlue> {
  engineModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as WasmGlue;
    const bytes = await readFile(gluePath.replace(/\.js$/, '.wasm'));
    // The engine reports Rust panics through this global (Prisma's CLI installs the same hook).
    // After a panic the instance is unusable for the rest of the process.
    const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(m: string): void } };
    g.PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message(message: string) { process.stderr.write(`schema engine panic: ${message}\n`); },
    };
    // The engine races its work against timers it never clears (no clearTimeout import): unref
    // them, or every run would keep the process alive ~10 s after it is done.
    const imports: Record<string, unknown> = { ...glue };
    for (const [name, fn] of Object.entries(glue)) {
      if (!name.startsWith('__wbg_setTimeout_')) continue;
      imports[name] = (...args: unknown[]) => {
        const timer = (fn as (...a: unknown[]) => { unref?: () => void })(...args);
        timer.unref?.();
        return timer;
      };
    }
    const { instance } = await wasmApi.instantiate(bytes, { './schema_engine_bg.js': imports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return engineModule;
}

/** Runs `fn` with a fresh engine connected to `databaseUrl`, and frees it afterwards. */
async function withEngine<T>(databaseUrl: string, schemaPath: string,
  fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const glue = await loadEngineModule();
  const factory = new PgMigrationFactory(databaseUrl);
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  const schema = await readFile(schemaPath, 'utf8');
  const log = process.env.DEBUG?.includes('prisma')
    ? (msg: string) => process.stderr.write(`[schema-engine] ${msg}\n`)
    : () => {};
  try {
    const engine = await glue.SchemaEngine.new({ datamodels: [[schemaPath, schema]] }, log, adapter)
      .catch((e: unknown) => { throw engineError(e); });
    try {
      return await fn(engine).catch((e: unknown) => { throw engineError(e); });
    } finally {
      engine.free();
    }
  } finally {
    // Also releases the session advisory lock the engine takes while migrating.
    await factory.disposeAll();
  }
}

/**
 * PrismaPg for the main database, with our own shadow database handling. PrismaPg's
 * connectToShadowDb (7.10) drops the shadow database while its own pool still holds a connection
 * ("is being accessed by other users"), and that pool has no error listener, so the process
 * crashes when the server ends the connection. It also derives the shadow pool by overriding
 * `database` in a config that a connection string would silently override back to the main DB.
 */
class PgMigrationFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = '@prisma/adapter-pg';
  private readonly config: pg.PoolConfig;

  /** Adapters handed to the engine: engine.free() does not dispose them, withEngine does. */
  private readonly opened: SqlDriverAdapter[] = [];

  constructor(databaseUrl: string) {
    this.config = parseIntoClientConfig(databaseUrl);
  }

  async connect(): Promise<SqlDriverAdapter> {
    return this.open(new pg.Pool({ ...this.config, Client: CharAsTextClient }));
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    await this.admin(`CREATE DATABASE "${name}"`);
    const pool = new pg.Pool({ ...this.config, database: name, Client: CharAsTextClient });
    pool.on('error', () => {}); // idle connections end when the database is dropped
    const adapter = await this.open(pool);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose(); // ends the pool first
      await this.admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    return adapter;
  }

  private async open(pool: pg.Pool): Promise<SqlDriverAdapter> {
    const adapter = withCharColumns(await new PrismaPg(pool, { disposeExternalPool: true }).connect());
    // @prisma/adapter-pg 7.10 splits a migration script on every ";", which cuts a function body
    // ($$ … $$) apart. PostgreSQL's simple-query protocol runs a whole multi-statement script as is.
    adapter.executeScript = async (script: string) => {
      await pool.query(script);
    };
    this.opened.push(adapter);
    return adapter;
  }

  async disposeAll(): Promise<void> {
    await Promise.allSettled(this.opened.splice(0).map((a) => a.dispose()));
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client(this.config);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}

/**
 * The engine reads catalog columns of PostgreSQL's internal type "char" (oid 18, e.g.
 * pg_constraint.contype) when it describes a schema, and @prisma/adapter-pg 7.10 has no mapping
 * for that type ("Column type 'char' could not be deserialized"). pg already returns the values as
 * strings: this client reports such columns as text (oid 25) so the adapter accepts them, and
 * remembers them by result rows, so that `withCharColumns` can give the engine the Character type
 * it expects.
 */
const charColumns = new WeakMap<object, number[]>();
class CharAsTextClient extends pg.Client {}
// eslint-disable-next-line @typescript-eslint/unbound-method -- always called with `apply(this, …)` below
const clientQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
const charAsText = (res: unknown): unknown => {
  for (const r of (Array.isArray(res) ? res : [res]) as (pg.QueryResult | undefined)[]) {
    const idx = (r?.fields ?? []).flatMap((f, i) => (f.dataTypeID === 18 ? [i] : []));
    if (!r || idx.length === 0) continue;
    for (const i of idx) r.fields[i]!.dataTypeID = 25;
    charColumns.set(r.rows, idx);
  }
  return res;
};
Object.defineProperty(CharAsTextClient.prototype, 'query', {
  value(this: pg.Client, ...args: unknown[]) {
    const cb = args.findIndex((a) => typeof a === 'function');
    if (cb >= 0) {
      const done = args[cb] as (err: unknown, res: unknown) => void;
      args[cb] = (err: unknown, res: unknown) => done(err, err ? res : charAsText(res));
      return clientQuery.apply(this, args);
    }
    const out = clientQuery.apply(this, args);
    return out instanceof Promise ? out.then(charAsText) : out;
  },
});

function withCharColumns(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (query) => {
    const rs = await queryRaw(query);
    for (const i of charColumns.get(rs.rows) ?? []) rs.columnTypes[i] = ColumnTypeEnum.Character;
    return rs;
  };
  return adapter;
}

/** Engine errors arrive as plain objects or wasm errors; turn them into readable Errors. */
function engineError(e: unknown): Error {
  if (e instanceof Error) return e;
  if (e && typeof e === 'object') {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof message === 'string') return new Error(typeof code === 'string' || typeof code === 'number' ? `${code}: ${message}` : message);
  }
  return new Error(`schema engine error: ${JSON.stringify(e)}`);
}

/** Reads the migrations folder the way Prisma's CLI does (directories sorted by name). */
async function listMigrations(baseDir: string): Promise<MigrationList> {
  const lockContent = await readFile(join(baseDir, LOCKFILE), 'utf8').catch(() => null);
  const entries: Dirent[] = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories: MigrationDirectory[] = [];
  for (const entry of entries.filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const content = await readFile(join(baseDir, entry.name, 'migration.sql'), 'utf8')
      .then((value) => ({ tag: 'ok' as const, value }))
      .catch((err: unknown) => ({ tag: 'error' as const, value: String(err) }));
    migrationDirectories.push({ path: entry.name, migrationFile: { path: 'migration.sql', content } });
  }
  return {
    baseDir,
    lockfile: { path: LOCKFILE, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

const noFilters = { externalTables: [], externalEnums: [] };

/**
 * Applies the committed migrations that the database has not seen yet (`prisma migrate deploy`).
 * Returns the names of the migrations applied by this call.
 */
export async function applyMigrations(databaseUrl: string, paths: MigrationPaths = {}): Promise<string[]> {
  const migrationsList = await listMigrations(paths.migrationsDir ?? MIGRATIONS_DIR);
  return withEngine(databaseUrl, paths.schemaPath ?? SCHEMA_PATH, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList, filters: noFilters });
    return out.appliedMigrationNames;
  });
}

export interface CreatedMigration {
  /** Directory name, `<timestamp>_<name>`; null when the schema has no changes to migrate. */
  name: string | null;
  path: string | null;
}

/**
 * Writes the next migration: the SQL that takes the existing migrations folder to
 * prisma/schema.prisma (like `prisma migrate diff --from-migrations --to-schema`). `databaseUrl`
 * only serves to create a temporary shadow database (needs CREATEDB) where the engine replays the
 * migrations; the database itself is not changed. With `empty`, writes a migration even without
 * schema changes, for hand-written SQL.
 */
export async function createMigration(databaseUrl: string, migrationName: string,
  opts: MigrationPaths & { empty?: boolean } = {}): Promise<CreatedMigration> {
  const migrationsDir = opts.migrationsDir ?? MIGRATIONS_DIR;
  const schemaPath = opts.schemaPath ?? SCHEMA_PATH;
  const migrationsList = await listMigrations(migrationsDir);
  const schema = await readFile(schemaPath, 'utf8');
  // engine.createMigration needs a shadow database cached by an earlier devDiagnostic call;
  // diff() creates its own through the adapter factory, so it works as a single call.
  const out = await withEngine(databaseUrl, schemaPath, (engine) => engine.diff({
    // The engine reads the provider from migration_lock.toml; before the first migration there is
    // nothing to replay, so start from an empty schema.
    from: migrationsList.migrationDirectories.length === 0
      ? { tag: 'empty' }
      : { tag: 'migrations', ...migrationsList },
    to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
    script: true,
    exitCode: true, // 2 when there is a difference, 0 when none
    filters: noFilters,
  }));
  if (out.exitCode !== 2 && !opts.empty) return { name: null, path: null };
  const script = out.exitCode === 2 && out.stdout
    // `public` always exists, and creating it needs CREATE on the database, which restricted
    // production roles lack even with IF NOT EXISTS: drop the statement the engine adds from empty.
    ? out.stdout.replace(/-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, '')
    : '-- Hand-written migration.\n';

  const name = `${utcTimestamp()}_${migrationName}`;
  const dir = join(migrationsDir, name);
  if (existsSync(dir)) throw new Error(`migration directory already exists: ${dir}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'migration.sql'), script, 'utf8');
  await writeFile(join(migrationsDir, LOCKFILE),
    '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\n' +
    'provider = "postgresql"\n', 'utf8');
  return { name, path: dir };
}

/** `YYYYMMDDHHMMSS` in UTC, the prefix Prisma gives migration directories. */
function utcTimestamp(d = new Date()): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
