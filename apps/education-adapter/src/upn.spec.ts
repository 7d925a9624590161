import { isValidUpn, upnCheckLetter } from './upn.js';

describe('Unique Pupil Numbers', () => {
  it('agrees with published examples', () => {
    // The example of the widely used python-stdnum implementation of the DfE data standard.
    expect(isValidUpn('B801200005001')).toBe(true);
    expect(isValidUpn('A801200005001')).toBe(false);
  });

  it('accepts a UPN whose check letter is right, permanent or temporary', () => {
    expect(isValidUpn('D820400126001')).toBe(true);
    expect(isValidUpn('T820400126002')).toBe(true);
    expect(isValidUpn(`${upnCheckLetter('82040012600A')}82040012600A`)).toBe(true);
  });

  it('refuses a wrong check letter, a wrong length, and the letters I, O and S', () => {
    expect(isValidUpn('A820400126001')).toBe(false);
    expect(isValidUpn('D82040012600')).toBe(false);
    expect(isValidUpn('D8204001260011')).toBe(false);
    expect(isValidUpn('I820400126001')).toBe(false);
    expect(isValidUpn('d820400126001')).toBe(false);
    expect(isValidUpn(820400126001)).toBe(false);
  });
});
