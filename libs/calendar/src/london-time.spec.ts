import { londonTimeInWords } from './london-time.js';

describe('a time in words, on the clock in England', () => {
  it.each([
    ['2026-01-15T09:30:00Z', 'Thu, 15 Jan 2026, 09:30'],
    // British Summer Time: an hour ahead of UTC.
    ['2026-07-01T14:00:00Z', 'Wed, 1 Jul 2026, 15:00'],
    // Just after midnight in England is still the day before in UTC.
    ['2026-03-31T23:30:00Z', 'Wed, 1 Apr 2026, 00:30'],
  ])('says %s as %s', (instant, words) => expect(londonTimeInWords(new Date(instant))).toBe(words));
});
