import { BankHolidays } from './bank-holidays.js';
import { DAY_START_PATTERN } from './school-calendar.js';
import { londonInstant, londonWallTime, nextDate, weekdayOf } from './london-time.js';

export interface WorkingHoursSettings {
  /** When the working day starts and ends, HH:MM on a clock in England. */
  dayStart: string;
  dayEnd: string;
  /** Working weekdays, 0 Sunday … 6 Saturday; bank holidays in England and Wales are never working days. */
  workingDays: readonly number[];
}

export const DEFAULT_WORKING_HOURS: WorkingHoursSettings = { dayStart: '09:00', dayEnd: '17:00', workingDays: [1, 2, 3, 4, 5] };

const MINUTE = 60_000;

/**
 * The council's working-time clock: deadlines that run in working hours (amber and green contacts)
 * count only the minutes between the start and end of working days, on the clock in England (so
 * 09:00 stays 09:00 across the change to and from summer time), skipping weekends and bank holidays.
 */
export class WorkingClock {
  private readonly startMinutes: number;
  private readonly endMinutes: number;

  constructor(
    private readonly settings: WorkingHoursSettings = DEFAULT_WORKING_HOURS,
    private readonly bankHolidays = new BankHolidays(),
  ) {
    for (const [name, value] of [['start', settings.dayStart], ['end', settings.dayEnd]] as const) {
      if (!DAY_START_PATTERN.test(value)) throw new RangeError(`the working day ${name} must be HH:MM, not ${JSON.stringify(value)}`);
    }
    this.startMinutes = minutesOf(settings.dayStart);
    this.endMinutes = minutesOf(settings.dayEnd);
    // The clocks change between 01:00 and 02:00; a working day inside that hour would not exist on one day a year.
    if (this.startMinutes < 3 * 60) throw new RangeError('the working day must start at 03:00 or later');
    if (this.endMinutes <= this.startMinutes) throw new RangeError('the working day must end after it starts');
    if (!settings.workingDays.length || settings.workingDays.some((day) => !Number.isInteger(day) || day < 0 || day > 6)) {
      throw new RangeError('working days are weekdays 0 (Sunday) to 6 (Saturday), at least one');
    }
  }

  /** Minutes in one working day: what "one working day" of a deadline means. */
  get minutesPerDay(): number {
    return this.endMinutes - this.startMinutes;
  }

  isWorkingDay(date: string): boolean {
    return this.settings.workingDays.includes(weekdayOf(date)) && !this.bankHolidays.includes(date);
  }

  /** The instant `minutes` of working time after `start`; a start outside working hours waits for the next working day. */
  addWorkingMinutes(start: Date, minutes: number): Date {
    if (!(minutes >= 0)) throw new RangeError(`working time to add must be zero or more minutes, not ${minutes}`);
    let remaining = minutes * MINUTE;
    let at = start.getTime();
    let date = londonWallTime(start).date;
    for (let day = 0; day < 3700; day++, date = nextDate(date)) {
      if (!this.isWorkingDay(date)) continue;
      const opens = londonInstant(date, this.startMinutes).getTime();
      const closes = londonInstant(date, this.endMinutes).getTime();
      const from = Math.max(at, opens);
      if (from >= closes) continue;
      if (remaining <= closes - from) return new Date(from + remaining);
      remaining -= closes - from;
      at = closes;
    }
    throw new RangeError(`no working time in the ten years after ${start.toISOString()}: check the working days`);
  }

  /** Working minutes from `from` to `to` (0 when `to` is not later). */
  workingMinutesBetween(from: Date, to: Date): number {
    let total = 0;
    for (let date = londonWallTime(from).date, last = londonWallTime(to).date; date <= last; date = nextDate(date)) {
      if (!this.isWorkingDay(date)) continue;
      const opens = Math.max(londonInstant(date, this.startMinutes).getTime(), from.getTime());
      const closes = Math.min(londonInstant(date, this.endMinutes).getTime(), to.getTime());
      if (closes > opens) total += closes - opens;
    }
    return total / MINUTE;
  }
}

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return hours * 60 + minutes;
}
