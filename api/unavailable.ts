import { isGrpcServiceError, ServiceError } from '@temporalio/client';

/**
 * Recognises errors that mean "a dependency is down right now" (PostgreSQL restarting, the
 * Temporal frontend unreachable), so the API answers 503 with Retry-After — a 5xx that explains
 * itself and tells the caller to retry — instead of an anonymous 500.
 */

/** gRPC UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED. */
const transientGrpcCodes = new Set([14, 4, 8]);
/** Prisma: can't reach, timed out, server closed the connection, pool timeout. */
const transientPrismaCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const transientMessages =
  /Can't reach database server|Connection terminated|ECONNREFUSED|ECONNRESET|terminating connection|database system is (starting up|shutting down|in recovery mode|not yet accepting connections)|Connection refused|connect ETIMEDOUT|Timed out fetching a new connection|Server has closed the connection/i;
/**
 * PostgreSQL's own word for it, as the driver adapter passes it on: class 08 (connection
 * exception) and 57P01-57P03 (shut down, crashed, not yet accepting connections while it
 * recovers from a crash).
 */
const transientSqlStates = /^(08|57P0[1-3])/;

export type Dependency = 'database' | 'temporal';

export function unavailableDependency(error: unknown, depth = 0): Dependency | null {
  if (!error || typeof error !== 'object' || depth > 5) return null;
  const { code, name, message, cause } = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  if (isGrpcServiceError(error) && transientGrpcCodes.has(error.code)) return 'temporal';
  if (error instanceof ServiceError && cause) return unavailableDependency(cause, depth + 1) ? 'temporal' : null;
  if (typeof code === 'string' && transientPrismaCodes.has(code)) return 'database';
  const sqlState = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } }).meta?.driverAdapterError?.cause?.originalCode;
  if (typeof sqlState === 'string' && transientSqlStates.test(sqlState)) return 'database';
  if (name === 'PrismaClientInitializationError') return 'database';
  if (typeof message === 'string' && transientMessages.test(message) && /Prisma|Driver|pg|postgres/i.test(`${String(name)} ${message}`)) return 'database';
  return unavailableDependency(cause, depth + 1);
}
