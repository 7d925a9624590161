import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/** Ten digits, alone or printed 3-3-4 with spaces: the shape of an NHS number. */
const NHS_NUMBER_SHAPE = /\b\d{3} ?\d{3} ?\d{4}\b/g;

/** Replaces anything shaped like an NHS number, at any depth of a log entry. */
export function redact(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(NHS_NUMBER_SHAPE, '[redacted]');
  if (Array.isArray(value)) return value.map(redact);
  if (value instanceof Error) return value;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redact(v)]));
  }
  return value;
}

/**
 * Structured JSON logs on stdout, one object per line, for the council's log
 * platform. The code logs ids, patterns and outcomes, never names, dates of
 * birth or narratives; as a second line of defence, anything shaped like an
 * NHS number is redacted on the way out.
 */
class RedactingLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, unknown>,
  ): void {
    super.printMessages(messages.map(redact), context, logLevel, writeStreamType, redact(errorStack), params);
  }
}

export function createLogger(app: string, level: string): ConsoleLogger {
  const levels: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const upTo = levels.indexOf(level as LogLevel);
  return new RedactingLogger(app, {
    json: true,
    colors: false,
    logLevels: levels.slice(0, upTo === -1 ? 4 : upTo + 1),
  });
}
