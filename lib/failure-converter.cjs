// Failure messages and stack traces can quote debtor data (a provider's error naming an address):
// encode them as a payload so the payload codec encrypts them like everything else.
// CommonJS on purpose: the Temporal SDK `require()`s this file by path in the worker, in clients
// and in the workflow bundle, and plain Node (or vitest) cannot require TypeScript.
'use strict';
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
