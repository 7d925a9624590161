import { isValidNhsNumber, normaliseNhsNumber } from './nhs-number.js';

describe('NHS number check digit', () => {
  it.each(['9434765919', '943 476 5919', '9990000379', '9990001111'])('accepts %s', (n) => {
    expect(isValidNhsNumber(n)).toBe(true);
  });

  it.each([
    ['9434765918', 'wrong check digit'],
    ['943476591', 'nine digits'],
    ['94347659190', 'eleven digits'],
    ['94347659A9', 'a letter'],
    ['', 'empty'],
  ])('refuses %s (%s)', (n) => {
    expect(isValidNhsNumber(n)).toBe(false);
  });

  it('refuses a number whose remainder gives a check value of 10', () => {
    // A 6 in the ninth place (weight 2) sums to 12; 12 mod 11 = 1; 11 - 1 = 10: no check digit fits.
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`000000006${d}`)).toBe(false);
  });

  it('treats a remainder of 0 as check digit 0', () => {
    // 000000000 sums to 0: 11 - 0 = 11 -> check digit 0.
    expect(isValidNhsNumber('0000000000')).toBe(true);
    expect(isValidNhsNumber('0000000001')).toBe(false);
  });

  it('normalises printed spacing', () => {
    expect(normaliseNhsNumber('943 476 5919')).toBe('9434765919');
  });
});
