// Prisma 7 CLI configuration. The URL is optional so that `prisma generate` (postinstall) works
// without a database; commands that need one (`prisma migrate deploy`) read DATABASE_URL.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : {},
});
