import { Runtime, type LogLevel, type LogMetadata, type Logger as SdkLogger } from '@temporalio/worker';
import { createLogger, type Logger } from '../lib/logger.js';

const pinoLevels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** The Temporal SDK's logger interface over pino, so SDK, workflow and activity lines get our redaction. */
export function sdkLogger(logger: Logger): SdkLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => logger[pinoLevels[level]]({ ...meta }, message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/**
 * Routes the Temporal SDK's own log lines through our (redacting) logger at our level, once per
 * process, before any worker or connection exists. `npm start` keeps them at WARN so its console
 * stays readable.
 */
export function installWorkerRuntime(level: string, logger: Logger = createLogger({ level, name: 'temporal' })): void {
  Runtime.install({ logger: sdkLogger(logger) });
}
