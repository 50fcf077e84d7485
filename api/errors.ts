import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

/**
 * Errors are transport-free: services throw these, and one handler maps every error to
 * `{ error: { code, message, fields? } }`. Caller mistakes are 4xx; anything else is a 500 with a
 * request id and no internals.
 */

export interface FieldProblem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldProblem[],
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const unprocessable = (code: string, message: string, fields?: FieldProblem[]) => new ApiError(422, code, message, fields);

export function invalidRequest(fields: FieldProblem[]): ApiError {
  const summary = fields.map((field) => `${field.path}: ${field.message}`).join('; ');
  return new ApiError(400, 'invalid_request', `invalid request: ${summary}`, fields);
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const part = error.validationContext ?? 'body';
    const fields = error.validation.map((issue) => ({
      path: [part, ...(issue.instancePath ?? '').split('/').filter(Boolean)].join('.'),
      message: issue.message ?? 'invalid',
    }));
    const { statusCode, code, message } = invalidRequest(fields);
    return reply.code(statusCode).send({ error: { code, message, fields } });
  }
  if (error instanceof ApiError) {
    return reply
      .code(error.statusCode)
      .send({ error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } });
  }
  // Fastify's own caller errors: malformed JSON, body too large, unsupported media type.
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return reply.code(error.statusCode).send({ error: { code: (error.code ?? 'bad_request').toLowerCase(), message: error.message } });
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.code(500).send({ error: { code: 'internal', message: `internal error; request id ${request.id}` } });
}
