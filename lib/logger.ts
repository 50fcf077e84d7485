import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * One logger shape for every process. Debtor data never goes to logs:
 *
 * - fields that hold personal data or free text (names, addresses, phone numbers, emails, message
 *   bodies, replies) are replaced by `[redacted]` at any depth of a log line;
 * - every other string (messages, error messages and stacks, URLs) has email addresses and
 *   international phone numbers masked, for the errors that quote them (a driver's "Key (value)=
 *   (...) already exists", a provider's "mailbox ana@... unknown");
 * - request logs carry the method, the path and the query's parameter names, never a body or a
 *   query value, and never the Authorization header.
 */

/** Keys whose values are personal data or free text, wherever they appear. */
export const personalKeys = new Set([
  'name',
  'debtorName',
  'email',
  'phone',
  'whatsapp',
  'address',
  'addresses',
  'postalAddress',
  'line1',
  'line2',
  'city',
  'postalCode',
  'contacts',
  'contact',
  'value',
  'text',
  'body',
  'html',
  'subject',
  'to',
  'from',
  'fromAddress',
  'recipient',
  'debtor',
  'note',
  'notes',
  'reason',
  'comment',
  'form',
  'payload',
  'authorization',
  'cookie',
]);

/** Paths pino redacts natively (kept for callers that configure pino themselves). */
export const redactedPaths = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'];

const censor = '[redacted]';
const emailPattern = /[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
/** E.164 and the common +country (area) local forms; a bare run of digits (ids, amounts) is left alone. */
const phonePattern = /\+\d[\d\s().-]{6,18}\d/g;

/** Masks email addresses and phone numbers inside free text. */
export function scrubText(text: string): string {
  return text.replace(emailPattern, '[email]').replace(phonePattern, '[phone]');
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

/** A copy of a log value with personal keys censored and strings scrubbed; class instances are left to serializers. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 8) return value;
  if (value instanceof Error) {
    const { cause, code } = value as Error & { cause?: unknown; code?: unknown };
    return {
      type: value.name,
      message: scrubText(value.message),
      ...(value.stack ? { stack: scrubText(value.stack) } : {}),
      ...(typeof code === 'string' ? { code } : {}),
      ...(cause !== undefined ? { cause: scrubValue(cause, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = personalKeys.has(key) && item !== null && item !== undefined ? censor : scrubValue(item, depth + 1);
  }
  return copy;
}

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  routeOptions?: { url?: string };
}

/** Method, path and query parameter names only: query values can be personal (a search by email). */
export function safeRequestLine(request: RequestLike): { method?: string; url: string; route?: string; remoteAddress?: string } {
  const [path = '', query] = (request.url ?? '').split('?', 2);
  const names = query ? [...new URLSearchParams(query).keys()] : [];
  return {
    ...(request.method ? { method: request.method } : {}),
    url: scrubText(decodeURIComponentSafe(path)) + (names.length ? `?${names.map((name) => `${name}=${censor}`).join('&')}` : ''),
    ...(request.routeOptions?.url ? { route: request.routeOptions.url } : {}),
    ...(request.ip ? { remoteAddress: request.ip } : {}),
  };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Pino options that apply the rules above to every line, whoever logs it. */
export function loggerOptions({ level, name }: { level: string; name: string }): LoggerOptions {
  return {
    name,
    level,
    redact: { paths: redactedPaths, censor },
    formatters: {
      log: (object) => scrubValue(object) as Record<string, unknown>,
    },
    serializers: {
      req: (request: RequestLike) => safeRequestLine(request),
      err: (error: unknown) => scrubValue(error),
    },
    hooks: {
      // The message strings themselves (`log.info('sent to %s', address)` included).
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
}

export function createLogger({ level, name, destination }: { level: string; name: string; destination?: DestinationStream }): Logger {
  const logger = destination ? pino(loggerOptions({ level, name }), destination) : pino(loggerOptions({ level, name }));
  // Pino does not run formatters over a child's bindings; scrub them on the way in. Children are
  // made with Object.create(parent), so every descendant inherits this.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the child's own `this`
  const child = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings, options) {
    return child.call(this, scrubValue(bindings) as typeof bindings, options);
  } as typeof logger.child;
  return logger;
}

export type { Logger };
