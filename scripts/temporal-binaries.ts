// `npm run setup:temporal`: makes sure both Temporal binaries are available and prints their paths.
import { ensureTemporalCli, ensureTemporalTestServer } from '../lib/temporal-binaries.js';

try {
  const [cli, testServer] = await Promise.all([ensureTemporalCli(), ensureTemporalTestServer()]);
  console.log(`temporal CLI:         ${cli}`);
  console.log(`temporal test server: ${testServer}`);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
