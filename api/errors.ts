import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { maxPathParamLength } from './schemas.js';
import { unavailableDependency } from './unavailable.js';

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
    // A body that is not JSON at all is still a problem with a field: the body.
    const fields = error.statusCode === 400 ? [{ path: 'body', message: error.message }] : undefined;
    return reply
      .code(error.statusCode)
      .send({ error: { code: (error.code ?? 'bad_request').toLowerCase(), message: error.message, ...(fields ? { fields } : {}) } });
  }
  const down = unavailableDependency(error);
  if (down) {
    request.log.warn({ err: error, dependency: down }, 'dependency unavailable');
    return reply
      .code(503)
      .header('retry-after', '5')
      .send({ error: { code: `${down}_unavailable`, message: `the ${down === 'database' ? 'database' : 'workflow service'} is unavailable right now; retry in a few seconds` } });
  }
  // A number too large for its database column (32-bit ids, versions, amounts) is the caller's.
  if (isOutOfRange(error)) {
    return reply.code(400).send({ error: { code: 'invalid_request', message: 'a number in the request is out of range', fields: [{ path: 'body', message: 'a number is out of range' }] } });
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.code(500).send({ error: { code: 'internal', message: `internal error; request id ${request.id}` } });
}

/**
 * Errors the router raises before any route runs (Fastify's `frameworkErrors`): a path parameter
 * longer than the router accepts (414), a path that is not valid percent-encoded UTF-8 (400).
 * Same body shape as every other error; the path itself is not echoed (it may hold anything).
 */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.code(414).send({ error: { code: 'uri_too_long', message: `a path parameter is too long (at most ${maxPathParamLength} characters)` } });
  } else if (error.code === 'FST_ERR_BAD_URL') {
    const { statusCode, code, message, fields } = invalidRequest([{ path: 'params', message: 'must be valid percent-encoded UTF-8' }]);
    void reply.code(statusCode).send({ error: { code, message, fields } });
  } else {
    reply.log.error({ err: error }, 'router error');
    void reply.code(500).send({ error: { code: 'internal', message: `internal error; request id ${reply.request.id}` } });
  }
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (Fastify's `clientErrorHandler`):
 * a malformed request 400, headers too large 431, too slow 408 — in the same body shape.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request_timeout', 'the request did not arrive in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'the request headers are too large']
        : [400, 'bad_request', 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}

/** Prisma's "value out of range" (P2033), or PostgreSQL's numeric_value_out_of_range (22003). */
function isOutOfRange(error: unknown): boolean {
  const { code, meta, message } = error as { code?: string; meta?: { driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } }; message?: string };
  const cause = meta?.driverAdapterError?.cause;
  return code === 'P2033' || cause?.originalCode === '22003' || cause?.kind === 'ValueOutOfRange' || /out of range for type integer|does not fit in an INT/i.test(message ?? '');
}
