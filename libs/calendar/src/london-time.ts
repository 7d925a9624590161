/** The council's clock: England keeps Europe/London time (GMT, or BST in summer). */
export const LONDON = 'Europe/London';

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  weekday: 'short',
  hourCycle: 'h23',
});

export interface LondonWallTime {
  /** YYYY-MM-DD */
  date: string;
  /** Minutes since local midnight. */
  minutes: number;
  /** 0 Sunday … 6 Saturday. */
  weekday: number;
}

const spoken = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * The instant as staff read a time in a message, on the clock in England: "Wed, 1 Jul 2026, 15:00".
 * For words people read; records and APIs keep ISO 8601.
 */
export function londonTimeInWords(instant: Date): string {
  return spoken.format(instant);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** What a clock on a wall in England shows at the instant. */
export function londonWallTime(instant: Date): LondonWallTime {
  const values = Object.fromEntries(parts.formatToParts(instant).map((part) => [part.type, part.value]));
  return {
    date: `${values.year}-${values.month}-${values.day}`,
    minutes: Number(values.hour) * 60 + Number(values.minute),
    weekday: WEEKDAYS.indexOf(values.weekday),
  };
}

/**
 * The instant a wall clock in England shows `minutes` past midnight on `date`. Only times a school day
 * can start are asked for, which are never in the hour the clocks skip or repeat (01:00–02:00).
 */
export function londonInstant(date: string, minutes: number): Date {
  const [year, month, day] = date.split('-').map(Number);
  const asIfUtc = Date.UTC(year, month - 1, day, Math.floor(minutes / 60), minutes % 60);
  // London is UTC or UTC+1: try the offset the wall clock shows at that moment as if it were UTC.
  for (const offsetHours of [0, 1]) {
    const candidate = new Date(asIfUtc - offsetHours * 3600_000);
    const wall = londonWallTime(candidate);
    if (wall.date === date && wall.minutes === minutes) return candidate;
  }
  throw new RangeError(`${date} ${minutes} minutes past midnight is not a time on a clock in England`);
}

/** The calendar date after `date` (YYYY-MM-DD). */
export function nextDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}

/** 0 Sunday … 6 Saturday, for a calendar date. */
export function weekdayOf(date: string): number {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}
