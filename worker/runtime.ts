import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/**
 * Routes the Temporal SDK's own log lines through our level, once per process, before any
 * worker or connection exists. `npm start` keeps them at WARN so its console stays readable.
 */
export function installWorkerRuntime(level: string): void {
  const levels: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };
  Runtime.install({ logger: new DefaultLogger(levels[level] ?? 'INFO') });
}
