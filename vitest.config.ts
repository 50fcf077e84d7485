import { configDefaults, defineConfig } from "vitest/config";

// The fault scenarios (kill -9, server restarts, provider outages) take minutes: `npm run test:faults`
// runs them (and CI after `npm test`); `npm test` leaves them out.
const faultRun = process.env.npm_lifecycle_event === "test:faults" || process.env.FAULTS === "1";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...(faultRun ? [] : ["test/faults/**"])],
    // Integration tests start real servers (Temporal, Postgres, stand-ins).
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for a page or a case to show what it should: its 1 s default races this
    // machine's speed (a page's reload after a write reads live cases through Temporal).
    expect: { poll: { timeout: 20_000, interval: 100 } },
  },
});
