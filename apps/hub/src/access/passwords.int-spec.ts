import { hashPassword, passwordMatches } from './passwords.js';

/** The hub's queue consumers share its event loop: hashing a password must not stop them. */
describe('password hashing off the event loop', () => {
  it('keeps the event loop turning while passwords are hashed and verified', async () => {
    const hash = await hashPassword('correct horse battery staple');
    let ticks = 0;
    let turning = true;
    const tick = () => {
      ticks += 1;
      if (turning) setImmediate(tick);
    };
    setImmediate(tick);
    const started = performance.now();
    const results = await Promise.all([
      passwordMatches('correct horse battery staple', hash),
      passwordMatches('a wrong password entirely', hash),
      passwordMatches('correct horse battery staple', hash),
    ]);
    const elapsed = performance.now() - started;
    turning = false;
    expect(results).toEqual([true, false, true]);
    // On the event loop, each argon2 run (tens of milliseconds) would allow no tick at all while it runs.
    expect(elapsed).toBeGreaterThan(20);
    expect(ticks).toBeGreaterThan(50);
  });
});
