// `npm run setup:temporal` (and `npm test` first): makes sure both Temporal binaries and localstripe
// (the Stripe stand-in) are available and prints their paths, so parallel test files find them installed.
import { ensureLocalstripe } from '../lib/localstripe.js';
import { ensureTemporalCli, ensureTemporalTestServer } from '../lib/temporal-binaries.js';

try {
  const [cli, testServer, localstripe] = await Promise.all([ensureTemporalCli(), ensureTemporalTestServer(), ensureLocalstripe()]);
  console.log(`temporal CLI:         ${cli}`);
  console.log(`temporal test server: ${testServer}`);
  console.log(`localstripe:          ${localstripe}`);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
