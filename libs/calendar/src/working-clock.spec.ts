import { londonWallTime } from './london-time.js';
import { WorkingClock } from './working-clock.js';

const clock = new WorkingClock();
const DAY = 8 * 60;

/** A seeded generator, so a failing case can be run again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('the working-time clock (09:00–17:00, Monday to Friday, bank holidays off)', () => {
  it('puts an amber contact received Friday 16:00 due Monday 16:00', () => {
    expect(clock.addWorkingMinutes(new Date('2026-11-20T16:00:00Z'), DAY).toISOString()).toBe('2026-11-23T16:00:00.000Z');
  });

  it('skips bank holidays: received Thursday 24 December 2026 12:00, one working day is Tuesday 29th 12:00', () => {
    // 25 December and 28 December (Boxing Day substitute) are bank holidays; 26–27 the weekend.
    expect(clock.addWorkingMinutes(new Date('2026-12-24T12:00:00Z'), DAY).toISOString()).toBe('2026-12-29T12:00:00.000Z');
  });

  it('keeps working hours on the clock in England across the change to summer time', () => {
    // Friday 27 March 2026 16:00 GMT; the clocks go forward on Sunday 29th; Monday 16:00 BST is 15:00Z.
    expect(clock.addWorkingMinutes(new Date('2026-03-27T16:00:00Z'), DAY).toISOString()).toBe('2026-03-30T15:00:00.000Z');
    // And back: Friday 23 October 2026 16:00 BST (15:00Z) → Monday 26th 16:00 GMT.
    expect(clock.addWorkingMinutes(new Date('2026-10-23T15:00:00Z'), DAY).toISOString()).toBe('2026-10-26T16:00:00.000Z');
  });

  it('starts the clock at the next working day for a contact received out of hours', () => {
    // Saturday night: three working days from Monday 09:00 is Wednesday 17:00.
    expect(clock.addWorkingMinutes(new Date('2026-11-21T23:30:00Z'), 3 * DAY).toISOString()).toBe('2026-11-25T17:00:00.000Z');
    expect(clock.addWorkingMinutes(new Date('2026-11-23T07:00:00Z'), 6 * 60).toISOString()).toBe('2026-11-23T15:00:00.000Z');
  });

  it('holds its properties for random start times and durations across two years', () => {
    const next = random(20261123);
    const from = Date.parse('2026-01-01T00:00:00Z');
    const span = Date.parse('2028-01-01T00:00:00Z') - from;
    for (let run = 0; run < 2000; run++) {
      const start = new Date(from + Math.floor(next() * span / 60_000) * 60_000);
      const minutes = 1 + Math.floor(next() * 5 * DAY);
      const due = clock.addWorkingMinutes(start, minutes);
      const context = `${minutes} working minutes from ${start.toISOString()}: ${due.toISOString()}`;
      // Later than the start, by exactly the working time asked for.
      expect(`${context} ${due > start}`).toBe(`${context} true`);
      expect(`${context} ${clock.workingMinutesBetween(start, due)}`).toBe(`${context} ${minutes}`);
      // Inside working hours on a working day (a deadline never falls at night or on a holiday).
      const wall = londonWallTime(due);
      expect(`${context} ${clock.isWorkingDay(wall.date) && wall.minutes > 9 * 60 && wall.minutes <= 17 * 60}`).toBe(`${context} true`);
      // More time never gives an earlier deadline.
      expect(clock.addWorkingMinutes(start, minutes + 1).getTime()).toBeGreaterThan(due.getTime());
    }
  });

  it('adds nothing for nothing, and refuses settings it cannot keep', () => {
    const start = new Date('2026-11-24T10:00:00Z');
    expect(clock.addWorkingMinutes(start, 0)).toEqual(start);
    expect(() => clock.addWorkingMinutes(start, -1)).toThrow('working time to add must be zero or more minutes');
    expect(() => new WorkingClock({ dayStart: '17:00', dayEnd: '09:00', workingDays: [1] })).toThrow('must end after it starts');
    expect(() => new WorkingClock({ dayStart: '01:30', dayEnd: '09:00', workingDays: [1] })).toThrow('03:00 or later');
    expect(() => new WorkingClock({ dayStart: '09:00', dayEnd: '17:00', workingDays: [] })).toThrow('at least one');
    // Other hours and days: a council open 08:00–18:00 six days a week.
    const long = new WorkingClock({ dayStart: '08:00', dayEnd: '18:00', workingDays: [1, 2, 3, 4, 5, 6] });
    expect(long.addWorkingMinutes(new Date('2026-11-20T16:00:00Z'), 10 * 60).toISOString()).toBe('2026-11-21T16:00:00.000Z');
  });
});
