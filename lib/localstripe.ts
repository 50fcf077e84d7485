// localstripe (a stateful stand-in of Stripe's API with a fake Stripe.js) at a pinned version, for
// the tests and `npm start`: LOCALSTRIPE_PATH, else the project-local venv
// .tools/localstripe-<version>/ (lib/pip-tool.ts).
import { pipTool } from './pip-tool.js';

/** The pinned version: testing/parts/stripe.ts and payments/stripe-processor.ts rely on its behaviour (docs: README, "Payments"). */
export const localstripeVersion = '1.15.10';

/** Absolute path of the `localstripe` executable, installing the pinned version on first use. */
export const ensureLocalstripe = pipTool({ name: 'localstripe', version: localstripeVersion, pathVariable: 'LOCALSTRIPE_PATH' });
