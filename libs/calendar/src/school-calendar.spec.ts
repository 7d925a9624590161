import { BankHolidays } from './bank-holidays.js';
import { londonInstant, londonWallTime } from './london-time.js';
import { parseSchoolHolidays, SchoolCalendar } from './school-calendar.js';

const calendar = new SchoolCalendar({ dayStart: '08:30', holidays: [] });

describe('the school calendar', () => {
  it('knows the bank holidays of England and Wales, substitute days included', () => {
    const holidays = new BankHolidays();
    // As GOV.UK lists them for 2026 (Boxing Day falls on a Saturday, so Monday 28 December is the substitute).
    expect([...holidays.ofYear(2026)]).toEqual(
      expect.arrayContaining(['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28']),
    );
    expect(holidays.includes('2026-12-28')).toBe(true);
    expect(holidays.includes('2026-12-29')).toBe(false);
  });

  it('rolls an incident on Friday night forward to Monday 08:30', () => {
    // Friday 20 November 2026, 22:00 in London (GMT).
    expect(calendar.nextSchoolDayStart(new Date('2026-11-20T22:00:00Z')).toISOString()).toBe('2026-11-23T08:30:00.000Z');
  });

  it('rolls past a bank holiday Monday to Tuesday', () => {
    // Friday 1 May 2026 22:00 BST; Monday 4 May is the early May bank holiday; 08:30 BST is 07:30 UTC.
    expect(calendar.nextSchoolDayStart(new Date('2026-05-01T21:00:00Z')).toISOString()).toBe('2026-05-05T07:30:00.000Z');
  });

  it('is due the same morning for an incident before the school day starts, and the next for one after', () => {
    expect(calendar.nextSchoolDayStart(new Date('2026-11-24T06:00:00Z')).toISOString()).toBe('2026-11-24T08:30:00.000Z');
    expect(calendar.nextSchoolDayStart(new Date('2026-11-24T08:30:00Z')).toISOString()).toBe('2026-11-25T08:30:00.000Z');
  });

  it('skips the council’s school holidays and Christmas', () => {
    const withHolidays = new SchoolCalendar({ dayStart: '08:45', holidays: parseSchoolHolidays('2026-12-21..2027-01-01, 2027-01-04') });
    expect(withHolidays.nextSchoolDayStart(new Date('2026-12-18T20:00:00Z')).toISOString()).toBe('2027-01-05T08:45:00.000Z');
  });

  it('keeps 08:30 on a clock in England across the change to summer time', () => {
    // Saturday 28 March 2026; the clocks go forward on Sunday 29 March.
    expect(calendar.nextSchoolDayStart(new Date('2026-03-28T12:00:00Z')).toISOString()).toBe('2026-03-30T07:30:00.000Z');
    expect(londonWallTime(londonInstant('2026-10-26', 510))).toMatchObject({ date: '2026-10-26', minutes: 510, weekday: 1 });
  });

  it('refuses settings it cannot use, naming them', () => {
    expect(() => parseSchoolHolidays('2026-12-21..2026-12-01')).toThrow('"2026-12-21..2026-12-01" is not a date');
    expect(() => parseSchoolHolidays('Christmas')).toThrow('"Christmas" is not a date');
    expect(() => new SchoolCalendar({ dayStart: '8.30', holidays: [] })).toThrow('the school day start must be HH:MM');
  });
});
