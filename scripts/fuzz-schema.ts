// `npm run fuzz:schema`: the schemathesis test (test/security/schemathesis.test.ts) at a bigger
// budget and with every role's key; SCHEMATHESIS_MAX_EXAMPLES / _SEED / _ROLES set in the
// environment win over these defaults.
import { spawnSync } from 'node:child_process';
import { roles } from '../api/auth.js';

const env = {
  ...process.env,
  SCHEMATHESIS_MAX_EXAMPLES: process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '200',
  SCHEMATHESIS_ROLES: process.env.SCHEMATHESIS_ROLES ?? roles.join(','),
};
const { status } = spawnSync('npx', ['vitest', 'run', 'test/security/schemathesis.test.ts'], { env, stdio: 'inherit' });
process.exit(status ?? 1);
