import { hashPassword, passwordMatches, passwordProblem } from './passwords.js';

describe('staff passwords', () => {
  it('are stored as argon2id hashes that verify only the right password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await passwordMatches('correct horse battery staple', hash)).toBe(true);
    expect(await passwordMatches('correct horse battery stapler', hash)).toBe(false);
    expect(await hashPassword('correct horse battery staple')).not.toBe(hash);
  });

  it('must be 12 to 200 characters', () => {
    expect(passwordProblem('short')).toMatch(/at least 12/);
    expect(passwordProblem('x'.repeat(201))).toMatch(/at most 200/);
    expect(passwordProblem('long enough password')).toBeNull();
  });
});
