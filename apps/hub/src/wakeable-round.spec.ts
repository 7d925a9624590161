import { Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { WakeableRound } from './wakeable-round.js';

const quiet = new Logger('test');
quiet.error = () => undefined;

describe('a round of durable work that can be woken', () => {
  it('runs once more after a wake that came during a round, and not once per wake', async () => {
    let rounds = 0;
    let release!: () => void;
    const round = new WakeableRound(
      async () => {
        rounds += 1;
        if (rounds === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      60_000,
      quiet,
      'test round',
    );
    round.start();
    await delay(20);
    round.wake();
    round.wake();
    round.wake();
    release();
    await delay(20);
    expect(rounds).toBe(2);
    expect(await round.stop(1000)).toBe(true);
  });

  it('backs off after a failure instead of trying again at once', async () => {
    const at: number[] = [];
    const round = new WakeableRound(
      async () => {
        at.push(Date.now());
        throw new Error('Postgres is down');
      },
      50,
      quiet,
      'test round',
    );
    round.start();
    await delay(550);
    await round.stop(1000);
    // At 0, 100 (50 doubled) and 300 ms (then 200); the next would be at 700: three rounds, not eleven.
    expect(at.length).toBe(3);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(190);
  });

  it('stops waiting for a round that does not finish, and says so', async () => {
    const round = new WakeableRound(() => new Promise<void>(() => undefined), 60_000, quiet, 'test round');
    round.start();
    await delay(10);
    expect(await round.stop(50)).toBe(false);
    expect(round.isStopped).toBe(true);
  });
});
