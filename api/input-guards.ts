import type { FastifyInstance } from 'fastify';
import { textProblems } from '../domain/well-formed-text.js';
import { invalidRequest } from './errors.js';

/**
 * Refuses, before validation, text that no route can store (domain/well-formed-text.ts): NUL
 * characters and ill-formed Unicode (a lone UTF-16 surrogate), which would otherwise fail deep
 * inside a query as a 500, or worse, be accepted and then poison the case's projection. One hook
 * for every route: path parameters, the query string and parsed bodies (JSON and the webhooks'
 * forms); streamed bodies (imports) and raw emails are checked by their own parsers.
 */
export function registerInputGuards(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const problems = [
      ...textProblems(request.params).map((problem) => ({ ...problem, part: 'params' })),
      ...textProblems(request.query).map((problem) => ({ ...problem, part: 'querystring' })),
      ...textProblems(request.body).map((problem) => ({ ...problem, part: 'body' })),
    ];
    if (problems.length > 0) throw invalidRequest(problems.slice(0, 10).map(({ part, path, reason }) => ({ path: [part, ...path].join('.'), message: reason })));
  });
}
