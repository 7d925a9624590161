import { WorkingClock } from '#calendar';
import { defaultRagDeadlines, dueAt, parseDeadlineRule } from './deadlines.js';

const clock = new WorkingClock();
const deadlines = defaultRagDeadlines();

describe('RAG deadlines', () => {
  const friday1600 = new Date('2026-11-20T16:00:00Z');

  it('runs red round the clock, amber and green in working time', () => {
    expect(dueAt(friday1600, deadlines.red.decision, clock).toISOString()).toBe('2026-11-20T20:00:00.000Z');
    expect(dueAt(friday1600, deadlines.red.partnerInformation, clock).toISOString()).toBe('2026-11-20T18:00:00.000Z');
    expect(dueAt(friday1600, deadlines.amber.decision, clock).toISOString()).toBe('2026-11-23T16:00:00.000Z');
    expect(dueAt(friday1600, deadlines.amber.partnerInformation, clock).toISOString()).toBe('2026-11-23T14:00:00.000Z');
    expect(dueAt(friday1600, deadlines.green.decision, clock).toISOString()).toBe('2026-11-25T16:00:00.000Z');
    expect(dueAt(friday1600, deadlines.green.partnerInformation, clock).toISOString()).toBe('2026-11-25T16:00:00.000Z');
  });

  it('reads deadline settings, refusing what it cannot use', () => {
    expect(parseDeadlineRule('4h')).toEqual({ hours: 4, clock: 'continuous' });
    expect(parseDeadlineRule(' 7.5wh')).toEqual({ hours: 7.5, clock: 'working' });
    expect(() => parseDeadlineRule('1 day')).toThrow('"1 day" is not a deadline: hours then h (round the clock) or wh (working hours)');
    expect(() => parseDeadlineRule('0h')).toThrow('is not a deadline');
  });
});
