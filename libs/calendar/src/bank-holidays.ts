import Holidays from 'date-holidays';

/**
 * Bank holidays in England and Wales, from the maintained `date-holidays` rules (Easter, substitute
 * days and one-off holidays included), so no list has to be typed in and kept up to date by hand.
 */
export class BankHolidays {
  private readonly rules = new Holidays('GB', 'ENG');
  private readonly byYear = new Map<number, Set<string>>();

  /** Whether the calendar date (YYYY-MM-DD) is a bank holiday. */
  includes(date: string): boolean {
    return this.ofYear(Number(date.slice(0, 4))).has(date);
  }

  /** The year's bank holidays, as calendar dates in order. */
  ofYear(year: number): Set<string> {
    let dates = this.byYear.get(year);
    if (!dates) {
      dates = new Set(
        this.rules
          .getHolidays(year)
          .filter((holiday) => holiday.type === 'public')
          .map((holiday) => holiday.date.slice(0, 10))
          .sort(),
      );
      this.byYear.set(year, dates);
    }
    return dates;
  }
}
