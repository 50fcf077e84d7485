import { pino, type Logger } from 'pino';

/**
 * One logger shape for every process. Debtor data never goes to logs: known personal fields are
 * redacted wherever they appear, and request bodies are not logged at all.
 */
export const redactedPaths = [
  '*.name',
  '*.email',
  '*.phone',
  '*.address',
  '*.text',
  '*.body',
  '*.to',
  '*.recipient',
  '*.debtor',
  'req.headers.authorization',
];

export function createLogger({ level, name }: { level: string; name: string }): Logger {
  return pino({ name, level, redact: { paths: redactedPaths, censor: '[redacted]' } });
}

export type { Logger };
