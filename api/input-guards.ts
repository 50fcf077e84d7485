import { Stream } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { invalidRequest, type FieldProblem } from './errors.js';

/**
 * Refuses, before validation, input that no route can store: text with NUL characters
 * (PostgreSQL text cannot hold U+0000, so it would otherwise fail deep inside a query as a 500).
 * Looks at path parameters, the query string and JSON bodies; streamed bodies (imports) are
 * checked by their own parser.
 */
export function registerInputGuards(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const problems: FieldProblem[] = [];
    const visit = (value: unknown, path: string, depth: number) => {
      if (problems.length >= 10 || depth > 32) return;
      if (typeof value === 'string') {
        if (value.includes('\u0000')) problems.push({ path, message: 'must not contain NUL (U+0000) characters' });
      } else if (Array.isArray(value)) {
        value.forEach((item, index) => visit(item, `${path}.${index}`, depth + 1));
      } else if (value && typeof value === 'object' && !(value instanceof Stream) && !(value instanceof Uint8Array)) {
        for (const [key, item] of Object.entries(value)) {
          if (key.includes('\u0000')) problems.push({ path: `${path}.${key.replaceAll('\u0000', '\\0')}`, message: 'must not contain NUL (U+0000) characters' });
          visit(item, `${path}.${key}`, depth + 1);
        }
      }
    };
    visit(request.params, 'params', 0);
    visit(request.query, 'querystring', 0);
    visit(request.body, 'body', 0);
    if (problems.length > 0) throw invalidRequest(problems);
  });
}
