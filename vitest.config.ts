import { configDefaults, defineConfig } from "vitest/config";

// The fault scenarios (kill -9, server restarts, provider outages) take minutes: `npm run test:faults`
// runs them (and CI after `npm test`); `npm test` leaves them out.
const faultRun = process.env.npm_lifecycle_event === "test:faults" || process.env.FAULTS === "1";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...(faultRun ? [] : ["test/faults/**"])],
    // Two test files at a time: most of an integration test's time is spent waiting on real
    // servers, timers and polls, which a second file fills (vitest's default here is one worker:
    // the cores less one). Each worker's servers take ports from its own band (lib/free-port.ts).
    // The fault scenarios pass --no-file-parallelism.
    maxWorkers: 2,
    // Integration tests start real servers (Temporal, Postgres, stand-ins).
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for a page or a case to show what it should: its 1 s default races this
    // machine's speed (a page's reload after a write reads live cases through Temporal).
    expect: { poll: { timeout: 20_000, interval: 100 } },
  },
});
