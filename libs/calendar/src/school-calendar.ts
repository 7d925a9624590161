import { BankHolidays } from './bank-holidays.js';
import { londonInstant, londonWallTime, nextDate, weekdayOf } from './london-time.js';

/** A school holiday: every date from `from` to `to`, both included (YYYY-MM-DD). */
export interface SchoolHoliday {
  from: string;
  to: string;
}

export interface SchoolCalendarSettings {
  /** When the school day starts, HH:MM on a clock in England. */
  dayStart: string;
  /** The council's school holidays (term breaks); weekends and bank holidays are never school days anyway. */
  holidays: readonly SchoolHoliday[];
}

export const DAY_START_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * School days: Monday to Friday, except bank holidays in England and Wales and the council's school
 * holidays. Used for Operation Encompass, whose notices are due before the next school day starts.
 */
export class SchoolCalendar {
  private readonly dayStartMinutes: number;

  constructor(
    private readonly settings: SchoolCalendarSettings,
    private readonly bankHolidays = new BankHolidays(),
  ) {
    if (!DAY_START_PATTERN.test(settings.dayStart)) throw new RangeError(`the school day start must be HH:MM, not ${JSON.stringify(settings.dayStart)}`);
    for (const holiday of settings.holidays) {
      if (!DATE.test(holiday.from) || !DATE.test(holiday.to) || holiday.from > holiday.to) {
        throw new RangeError(`a school holiday runs from one date to a later one (YYYY-MM-DD), not ${JSON.stringify(holiday)}`);
      }
    }
    const [hours, minutes] = settings.dayStart.split(':').map(Number);
    this.dayStartMinutes = hours * 60 + minutes;
  }

  isSchoolDay(date: string): boolean {
    const weekday = weekdayOf(date);
    if (weekday === 0 || weekday === 6) return false;
    if (this.bankHolidays.includes(date)) return false;
    return !this.settings.holidays.some((holiday) => holiday.from <= date && date <= holiday.to);
  }

  /** The start of the first school day that starts after `instant` (strictly). */
  nextSchoolDayStart(instant: Date): Date {
    const wall = londonWallTime(instant);
    let date = wall.minutes < this.dayStartMinutes ? wall.date : nextDate(wall.date);
    // A year of holidays at most; more means the settings are wrong, not that school never starts.
    for (let day = 0; day < 400; day++, date = nextDate(date)) {
      if (this.isSchoolDay(date)) return londonInstant(date, this.dayStartMinutes);
    }
    throw new RangeError(`no school day in the 400 days after ${instant.toISOString()}: check the school holidays`);
  }
}

/**
 * School holidays as a setting: comma-separated dates or date ranges, e.g.
 * `2026-12-21..2027-01-01,2027-02-15..2027-02-19,2027-05-28`. Throws naming the first bad item.
 */
export function parseSchoolHolidays(text: string): SchoolHoliday[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const [from, to = from, ...rest] = item.split('..');
      if (rest.length || !DATE.test(from) || !DATE.test(to) || from > to || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) {
        throw new RangeError(`${JSON.stringify(item)} is not a date (YYYY-MM-DD) or a range of dates (YYYY-MM-DD..YYYY-MM-DD, earliest first)`);
      }
      return { from, to };
    });
}
