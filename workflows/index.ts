export { caseWorkflow } from './case.js';
export { personWorkflow } from './person.js';
