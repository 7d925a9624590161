import { registerDecorator, type ValidationOptions } from 'class-validator';

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** An instant with an explicit offset, so "when" is never ambiguous across systems. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = CALENDAR_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function isInstant(value: unknown): value is string {
  return typeof value === 'string' && INSTANT.test(value) && !Number.isNaN(Date.parse(value));
}

function decorator(
  name: string,
  message: string,
  validate: (value: unknown) => boolean,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message, ...options },
      validator: { validate },
    });
}

/** A date of the form YYYY-MM-DD that exists in the calendar. */
export const IsCalendarDate = (options?: ValidationOptions) =>
  decorator('isCalendarDate', '$property must be a date in the form YYYY-MM-DD', isCalendarDate, options);

/** A calendar date no later than today (a date of birth, an incident date). */
export const IsPastCalendarDate = (options?: ValidationOptions) =>
  decorator(
    'isPastCalendarDate',
    '$property must be a date in the form YYYY-MM-DD, not in the future',
    (v) => isCalendarDate(v) && v <= new Date().toISOString().slice(0, 10),
    options,
  );

/** An ISO 8601 date-time with a Z or ±hh:mm offset. */
export const IsInstant = (options?: ValidationOptions) =>
  decorator(
    'isInstant',
    '$property must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T21:40:00Z',
    isInstant,
    options,
  );

/** An instant no later than now (allowing a minute of clock skew between systems). */
export const IsPastInstant = (options?: ValidationOptions) =>
  decorator(
    'isPastInstant',
    '$property must be an ISO 8601 date-time with a time zone, not in the future',
    (v) => isInstant(v) && Date.parse(v) <= Date.now() + 60_000,
    options,
  );
