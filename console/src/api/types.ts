import type { paths } from '../generated/openapi';

/** Named shapes of the API's answers and bodies, read from its OpenAPI document. */

/** The JSON body of a response or request in `paths`. */
export type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

export type CaseDetail = Json<paths['/api/v1/cases/{caseId}']['get']['responses'][200]>;
export type Arrangement = NonNullable<CaseDetail['arrangement']>;
export type Outcome = Json<NonNullable<paths['/api/v1/cases/{caseId}/outcomes']['post']['requestBody']>>;
export type OutcomePreview = Json<paths['/api/v1/cases/{caseId}/outcomes/preview']['post']['responses'][200]>;
export type CallOutcome = Json<NonNullable<paths['/api/v1/tasks/{id}/complete']['post']['requestBody']>>['outcome'];
export type Task = Json<paths['/api/v1/tasks']['get']['responses'][200]>['items'][number];
export type StrategyVersion = Json<paths['/api/v1/strategies']['get']['responses'][200]>['items'][number];
export type StrategyPreview = Json<paths['/api/v1/strategies/{key}/preview']['post']['responses'][200]>;
export type CaseView = Json<paths['/api/v1/cases']['get']['responses'][200]>['items'][number];
export type ImportJob = Json<paths['/api/v1/imports/{jobId}']['get']['responses'][200]>;
export type CaseNote = Json<paths['/api/v1/cases/{caseId}/notes']['get']['responses'][200]>['items'][number];
export type Callback = Json<paths['/api/v1/cases/{caseId}/callbacks']['get']['responses'][200]>['items'][number];
export type CallPermission = Json<paths['/api/v1/cases/{caseId}/call-permission']['get']['responses'][200]>;
export type Simulation = Json<paths['/api/v1/simulations/{id}']['get']['responses'][200]>;
export type SimulationSummary = NonNullable<Simulation['summary']>;
export type SimulationRequest = Json<NonNullable<paths['/api/v1/simulations']['post']['requestBody']>>;
export type ResponseModelView = Json<paths['/api/v1/response-models']['get']['responses'][200]>['items'][number];
