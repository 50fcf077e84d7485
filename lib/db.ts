// The one way the processes open PostgreSQL: Prisma 7's Rust-free client over node-postgres.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

/** `poolSize`: connections this process may hold (node-postgres' default is 10). */
export function createDb(databaseUrl: string, { poolSize }: { poolSize?: number } = {}) {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, ...(poolSize ? { max: poolSize } : {}) }) });
}

export type Db = ReturnType<typeof createDb>;
