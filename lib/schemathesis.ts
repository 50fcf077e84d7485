// schemathesis (the API fuzzer that attacks /openapi.json) at a pinned version: SCHEMATHESIS_PATH,
// else the project-local venv .tools/schemathesis-<version>/ (lib/pip-tool.ts).
import { pipTool } from './pip-tool.js';

/** The pinned version: its CLI flags are the ones test/security/schemathesis.test.ts passes. */
export const schemathesisVersion = '4.32.5';

/** Absolute path of the `schemathesis` executable, installing the pinned version on first use. */
export const ensureSchemathesis = pipTool({ name: 'schemathesis', version: schemathesisVersion, pathVariable: 'SCHEMATHESIS_PATH' });
