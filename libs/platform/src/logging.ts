import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/**
 * Structured JSON logs on stdout, one object per line, for the council's log
 * platform. Log ids, patterns and outcomes; never names, dates of birth, NHS
 * numbers or narratives.
 */
export function createLogger(app: string, level: string): ConsoleLogger {
  const levels: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const upTo = levels.indexOf(level as LogLevel);
  return new ConsoleLogger(app, {
    json: true,
    colors: false,
    logLevels: levels.slice(0, upTo === -1 ? 4 : upTo + 1),
  });
}
