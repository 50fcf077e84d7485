export { caseWorkflow } from './case.js';
