export { caseWorkflow } from './case.js';
export { personWorkflow } from './person.js';
export { skipTraceWorkflow } from './skip-trace.js';
export { importWorkflow } from './import.js';
export { webhookDeliveryWorkflow } from './webhook-delivery.js';
export { simulationWorkflow } from './simulation.js';
