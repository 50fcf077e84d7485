// `npm run migrate`: applies pending migrations from prisma/migrations to DATABASE_URL.
import { applyMigrations } from '../lib/migrations.js';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set (npm start migrates its embedded database by itself)');
  process.exit(1);
}
try {
  const applied = await applyMigrations(url);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
