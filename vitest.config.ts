import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests start real servers (Temporal, Postgres, stand-ins).
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
