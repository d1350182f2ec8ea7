import { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino } from 'pino';
import { AppConfig } from '../config/app-config';

/** The process' pino logger: JSON lines on stdout (pretty with LOG_PRETTY for `npm run local`). */
export function createPino(config: Pick<AppConfig, 'logLevel' | 'logPretty'>): Pino {
  return pino({
    level: config.logLevel,
    base: { service: 'pacer' },
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    transport: config.logPretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } : undefined,
  });
}

const QUIET_CONTEXTS: ReadonlySet<string> = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * Nest's logger interface on pino. Deliberately no per-request child logger: building one per
 * request (pino-http) serialized and redacted every request even when nothing was logged, which
 * cost most of a cached read. Request lines are written by an onResponse hook, at debug level,
 * and 5xx at error.
 */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Pino) {}

  log(message: unknown, context?: string): void {
    // Nest's start-up chatter (one line per module and route) is debug detail, not news.
    this.write(context && QUIET_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.pino.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, context?: string): void {
    if (!this.pino.isLevelEnabled(level)) return;
    if (typeof message === 'object' && message !== null) this.pino[level]({ context, ...(message as object) });
    else this.pino[level]({ context }, String(message));
  }
}
