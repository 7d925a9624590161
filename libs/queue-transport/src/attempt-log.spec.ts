import { firstAttemptAt, firstAttemptLogLine } from './attempt-log.js';

describe('first attempt time', () => {
  const at = (iso: string) => Date.parse(iso);

  it('comes from the newest first-attempt log line (the current cycle after a replay)', () => {
    const logs = [
      'handler note',
      firstAttemptLogLine({ processedOn: at('2026-03-02T10:00:00.000Z') }),
      firstAttemptLogLine({ processedOn: at('2026-03-01T09:00:00.000Z') }),
    ];
    expect(firstAttemptAt({ attemptsMade: 3, processedOn: at('2026-03-02T10:05:00.000Z') }, logs)).toBe('2026-03-02T10:00:00.000Z');
  });

  it('falls back to processedOn when there was only one attempt', () => {
    expect(firstAttemptAt({ attemptsMade: 1, processedOn: at('2026-03-02T10:00:00.000Z') }, [])).toBe('2026-03-02T10:00:00.000Z');
  });

  it('is unknown when several attempts left no record', () => {
    expect(firstAttemptAt({ attemptsMade: 4, processedOn: at('2026-03-02T10:00:00.000Z') }, ['handler note'])).toBeNull();
  });
});
