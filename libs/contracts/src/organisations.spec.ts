import { organisationCodeProblem } from './organisations.js';
import { isVirtualSchoolCode } from './identifiers.js';

describe('education organisation codes', () => {
  it("accepts a school's 6-digit URN and a virtual school's council ONS code", () => {
    expect(organisationCodeProblem('education', '123456')).toBeNull();
    expect(organisationCodeProblem('education', 'E09000028')).toBeNull();
    expect(isVirtualSchoolCode('E09000028')).toBe(true);
    expect(isVirtualSchoolCode('123456')).toBe(false);
  });

  it('refuses anything else, saying what both forms are', () => {
    for (const code of ['12345', '1234567', 'E0900002', 'X09000028', 'e09000028', '123456E09000028', 'RJ1', '']) {
      expect(organisationCodeProblem('education', code)).toBe(
        `for education, the organisation code must be the school's URN (6 digits), or for a virtual school its council's ONS local authority code (a capital E, N, S or W and 8 digits), e.g. 123456, not ${JSON.stringify(code)}`,
      );
    }
  });

  it('still gives housing only ONS codes', () => {
    expect(organisationCodeProblem('housing', 'E09000028')).toBeNull();
    expect(organisationCodeProblem('housing', '123456')).not.toBeNull();
  });
});
