import { matchLockKeys, normaliseName } from './child-matching.js';

describe('child matching keys', () => {
  it.each([
    ['Zoë', "O'Neil-Smith", 'zoe oneil smith'],
    ['  AMY ', 'Example', 'amy example'],
    ['Jean-Luc', 'Dupont', 'jean luc dupont'],
    ['Siân', 'Ap Rhys', 'sian ap rhys'],
  ])('normalises %s %s to "%s"', (given, family, expected) => {
    expect(normaliseName(given, family)).toBe(expected);
  });

  it('locks on the NHS number and on the name and date', () => {
    expect(
      matchLockKeys({ nhsNumber: '9990000379', normalisedName: 'amy example', dateOfBirth: '2015-06-14', expectedDateOfDelivery: null }),
    ).toEqual(['child-nhs:9990000379', 'child-name:amy example|2015-06-14']);
  });

  it('uses the expected date of delivery for an unborn child', () => {
    expect(
      matchLockKeys({ nhsNumber: null, normalisedName: 'baby example', dateOfBirth: null, expectedDateOfDelivery: '2026-12-01' }),
    ).toEqual(['child-name:baby example|edd:2026-12-01']);
  });
});
