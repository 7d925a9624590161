import {
  CERTAIN_SCORE,
  childIdentity,
  editDistance,
  levenshtein,
  matchLockKeys,
  normaliseName,
  normalisePostcode,
  normaliseUprn,
  scoreMatch,
  datesOneDigitApart,
  oneDigitApart,
  sharesBlock,
  swappedDate,
  type IdentityInput,
} from './child-matching.js';
import { GIVEN_NAME_GROUPS, canonicalGivenName } from './given-name-variants.js';

const amy: IdentityInput = {
  givenName: 'Amelia',
  familyName: 'Hartley',
  dateOfBirth: '2015-06-04',
  postcode: 'LS1 4AB',
  uprn: '100012345678',
};

/** What the hub does with a known child (amy, or amy changed) when a notification names `sent`. */
function outcome(known: Partial<IdentityInput>, sent: Partial<IdentityInput>) {
  const candidate = childIdentity({ ...amy, ...known });
  const identity = childIdentity({ ...amy, ...sent });
  return { ...scoreMatch(candidate, identity), searched: sharesBlock(candidate, identity) };
}

describe('child matching keys', () => {
  it.each([
    ['Zoë', "O'Neil-Smith", 'zoe oneil smith'],
    ['  AMY ', 'Example', 'amy example'],
    ['Jean-Luc', 'Dupont', 'jean luc dupont'],
    ['Siân', 'Ap Rhys', 'sian ap rhys'],
  ])('normalises %s %s to "%s"', (given, family, expected) => {
    expect(normaliseName(given, family)).toBe(expected);
  });

  it('folds postcodes, UPRNs and given-name variants', () => {
    expect(normalisePostcode(' ls1 4ab ')).toBe('LS14AB');
    expect(normalisePostcode('')).toBeNull();
    expect(normaliseUprn('000100012345678')).toBe('100012345678');
    expect(canonicalGivenName('bill')).toBe('william');
    expect(canonicalGivenName('liz')).toBe('elizabeth');
    expect(canonicalGivenName('zebedee')).toBe('zebedee');
    expect(childIdentity({ givenName: 'Mary Jane', familyName: 'Smith-Jones' })).toMatchObject({ givenFirst: 'mary', givenKey: 'mary', familyName: 'smith jones' });
  });

  it('puts no given name in two variant groups', () => {
    const names = GIVEN_NAME_GROUPS.flat();
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  it('swaps day and month only when that is another real date', () => {
    expect(swappedDate('2015-06-04')).toBe('2015-04-06');
    expect(swappedDate('2015-06-06')).toBeNull();
    expect(swappedDate('2015-06-13')).toBeNull();
    expect(swappedDate('2015-02-30')).toBeNull();
    expect(swappedDate('2015-04-31')).toBeNull();
  });

  it('counts a swap of neighbouring letters as one edit, as Postgres counts it as two', () => {
    expect(editDistance('jhon', 'john')).toBe(1);
    expect(levenshtein('jhon', 'john')).toBe(2);
    expect(editDistance('smith', 'smyth')).toBe(1);
  });

  it('locks on the NHS number and on the date of birth (day and month in either order) with each name key and the home', () => {
    const identity = childIdentity({ givenName: 'Amy', familyName: 'Example', nhsNumber: '9990000379', dateOfBirth: '2015-06-04', postcode: 'EX1 1AA' });
    expect(matchLockKeys(identity)).toEqual([
      'child-nhs:9990000379',
      'child-born:2015-04-06|gk:amy',
      'child-born:2015-04-06|gs:AM',
      'child-born:2015-04-06|fs:AKSMPL',
      'child-born:2015-04-06|pc:EX11AA',
    ]);
  });

  it('takes the keys of a child with middle names shared, and each with a middle name exclusive', () => {
    expect(matchLockKeys(childIdentity({ givenName: 'Amy Rose', familyName: 'Example', dateOfBirth: '2015-06-04' }))).toEqual([
      'shared:child-born:2015-04-06|gk:amy',
      'child-born:2015-04-06|gk:amy|m:rose',
      'shared:child-born:2015-04-06|gs:AM',
      'child-born:2015-04-06|gs:AM|m:rose',
      'shared:child-born:2015-04-06|fs:AKSMPL',
      'child-born:2015-04-06|fs:AKSMPL|m:rose',
    ]);
  });

  it('gives every pair that could be linked a key both take, one of them exclusive', () => {
    const variants: IdentityInput[] = [
      { givenName: 'Amelia', familyName: 'Hartley', dateOfBirth: '2015-06-04', postcode: 'LS1 4AB' },
      { givenName: 'Millie', familyName: 'Hartley', dateOfBirth: '2015-04-06' },
      { givenName: 'Amelai', familyName: 'Hartly', dateOfBirth: '2015-06-04', postcode: 'LS1 4AB' },
      { givenName: 'Emelia', familyName: 'Hartley-Okafor', dateOfBirth: '2015-06-04', uprn: '1001' },
      { givenName: 'Amelia Rose', familyName: 'Hartley', dateOfBirth: '2015-06-04' },
      { givenName: 'Amelia Jane', familyName: 'Hartley', dateOfBirth: '2015-06-04' },
      { givenName: 'Amelia Rose Jane', familyName: 'Hartlie', dateOfBirth: '2015-06-04', uprn: '1001' },
      { givenName: 'Oliver', familyName: 'Hartley', dateOfBirth: '2015-06-04', postcode: 'LS1 4AB' },
    ];
    const exclusive = (keys: string[]) => keys.filter((key) => !key.startsWith('shared:'));
    const bare = (keys: string[]) => keys.map((key) => key.replace(/^shared:/, '').replace(/\|m:.*$/, ''));
    for (const a of variants) {
      for (const b of variants) {
        const [x, y] = [childIdentity(a), childIdentity(b)];
        if (scoreMatch(x, y).outcome !== 'certain') continue;
        const [keysX, keysY] = [matchLockKeys(x), matchLockKeys(y)];
        const conflict =
          exclusive(keysX).some((key) => keysY.includes(key) || keysY.includes(`shared:${key}`)) ||
          exclusive(keysY).some((key) => keysX.includes(`shared:${key}`));
        expect({ a, b, conflict }).toEqual({ a, b, conflict: true });
      }
    }
    // Different middle names never wait for each other: they are never the same child.
    const [rose, jane] = [matchLockKeys(childIdentity(variants[4])), matchLockKeys(childIdentity(variants[5]))];
    expect(exclusive(rose).some((key) => jane.includes(key))).toBe(false);
    expect(bare(rose)).toEqual(bare(jane).map((key) => key));
  });

  it('uses the expected date of delivery for an unborn child', () => {
    expect(matchLockKeys(childIdentity({ givenName: 'Baby', familyName: 'Example', expectedDateOfDelivery: '2026-12-01' }))[0]).toBe('child-due:2026-12-01|gk:baby');
  });

  it('lists the real dates one digit away from a date of birth', () => {
    const dates = datesOneDigitApart('2015-06-04');
    expect(dates).toContain('2015-06-07');
    expect(dates).toContain('2016-06-04');
    expect(dates).toContain('2015-08-04');
    expect(dates).not.toContain('2015-06-04');
    expect(dates).not.toContain('2015-26-04');
    expect(dates.every((date) => oneDigitApart(date, '2015-06-04'))).toBe(true);
  });
});

describe('scoring a known child against a notification', () => {
  it('links the same name and date of birth without an address, as exact matching did', () => {
    const found = outcome({ postcode: null, uprn: null }, { postcode: null, uprn: null });
    expect(found).toMatchObject({ outcome: 'certain', searched: true });
    expect(found.score).toBeGreaterThanOrEqual(CERTAIN_SCORE);
  });

  it.each([
    ['a nickname', { givenName: 'Millie' }, 'certain', 'given name is a variant'],
    ['a typo in the given name, same address', { givenName: 'Amelai' }, 'certain', 'given name differs by a typing slip'],
    ['a typo in the family name, same address', { familyName: 'Hartly' }, 'certain', 'family name differs by a typing slip'],
    ['day and month swapped, same address', { dateOfBirth: '2015-04-06' }, 'certain', 'date of birth has day and month swapped'],
    ['one half of a double-barrelled family name', { familyName: 'Hartley-Okafor' }, 'certain', 'family name shares a part of a double-barrelled name'],
    ['a family name that sounds the same', { familyName: 'Hartlie', postcode: null, uprn: null }, 'possible', 'family name sounds the same'],
    ['a typo in the given name, no address', { givenName: 'Amelai', postcode: null, uprn: null }, 'possible', 'given name differs by a typing slip'],
    ['day and month swapped, no address', { dateOfBirth: '2015-04-06', postcode: null, uprn: null }, 'possible', 'date of birth has day and month swapped'],
    ['a date of birth one digit off, even at the same UPRN', { dateOfBirth: '2015-06-07' }, 'possible', 'date of birth differs by one digit'],
    ['another family name at the same UPRN (a new surname)', { familyName: 'Okafor' }, 'possible', 'different family name'],
  ])('%s is %s', (_, sent, expected, reason) => {
    const found = outcome({}, sent);
    expect(found.outcome).toBe(expected);
    expect(found.reasons).toContain(reason);
    // Whatever scoring would link or list, the candidate search returns.
    expect(found.searched).toBe(true);
  });

  it('never links twins: same family name, date of birth and home, different given names', () => {
    const found = outcome({ givenName: 'Oliver' }, { givenName: 'Amelia' });
    expect(found.outcome).toBe('none');
    expect(found.reasons).toContain('different given name');
  });

  it('never links two children whose middle names differ, but does one whose middle name was left out', () => {
    expect(outcome({ givenName: 'Amelia Rose' }, { givenName: 'Amelia Jane' })).toMatchObject({ outcome: 'none', reasons: expect.arrayContaining(['different middle names']) });
    expect(outcome({ givenName: 'Amelia Rose' }, { givenName: 'Amelia' }).outcome).toBe('certain');
    expect(outcome({ givenName: 'Amelia Rose Jane' }, { givenName: 'Millie Rose' }).outcome).toBe('certain');
    // The first middle name decides: the order of several is taken as sent.
    expect(outcome({ givenName: 'Amelia Jane Rose' }, { givenName: 'Amelia Rose' }).outcome).toBe('none');
  });

  it('never links siblings: same family name and home, different given name and date of birth', () => {
    expect(outcome({ givenName: 'Oliver', dateOfBirth: '2012-09-20' }, {}).outcome).toBe('none');
    expect(outcome({ givenName: 'Amelia', dateOfBirth: '2012-09-20' }, {}).outcome).toBe('none');
  });

  it('never links or lists a child with a different NHS number, however alike', () => {
    const found = outcome({ nhsNumber: '9990000379' }, { nhsNumber: '9990000743' });
    expect(found).toMatchObject({ outcome: 'conflicting_nhs_number', reasons: ['different NHS numbers'] });
  });

  it('still links when one side has no NHS number', () => {
    expect(outcome({ nhsNumber: null }, { nhsNumber: '9990000743' }).outcome).toBe('certain');
  });

  it('compares unborn children on the expected date of delivery only', () => {
    const unborn = { dateOfBirth: null, expectedDateOfDelivery: '2026-12-01', givenName: 'Baby' };
    expect(outcome(unborn, unborn).outcome).toBe('certain');
    expect(outcome(unborn, { ...unborn, expectedDateOfDelivery: '2026-12-02' }).outcome).not.toBe('certain');
  });

  it('the candidate search drops a pair whose given names could not agree', () => {
    expect(outcome({ givenName: 'Oliver' }, {}).searched).toBe(false);
    expect(outcome({ givenName: 'Amelia', dateOfBirth: '2001-01-01', postcode: null, uprn: null, familyName: 'Zed' }, {}).searched).toBe(false);
  });
});

describe('the candidate search and the score agree', () => {
  it('returns every pair the score would link or list (so a batch matches as one at a time does)', () => {
    let state = 7;
    const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    const mutate = (name: string) => {
      const letters = [...name];
      const at = Math.floor(random() * letters.length);
      const edit = Math.floor(random() * 4);
      if (edit === 0) letters.splice(at, 1);
      else if (edit === 1) letters[at] = pick([...'aeiouykst']);
      else if (edit === 2 && at + 1 < letters.length) [letters[at], letters[at + 1]] = [letters[at + 1], letters[at]];
      else letters.splice(at, 0, pick([...'aehlnr']));
      return letters.join('');
    };
    const givens = ['Christopher', 'Elizabeth', 'Liz', 'Amelia', 'Millie', 'Jo', 'Ann', 'Maximilian', 'Oliver', 'Aisha', 'Jonathan'];
    const families = ['Hartley', 'Smith', 'Hartley-Okafor', 'Ng', 'Featherstonehaugh', 'Okafor'];
    const dates = ['2015-06-04', '2015-04-06', '2015-06-07', '2016-06-04', '2012-01-09'];
    let listedOrLinked = 0;
    for (let i = 0; i < 20_000; i++) {
      const known = { givenName: pick(givens), familyName: pick(families), dateOfBirth: pick(dates), postcode: pick(['LS1 4AB', null]), uprn: pick(['1001', null]) };
      const sent = { ...known };
      for (let changes = Math.floor(random() * 3); changes > 0; changes--) {
        const field = Math.floor(random() * 5);
        if (field === 0) sent.givenName = random() < 0.5 ? mutate(sent.givenName) : pick(givens);
        else if (field === 1) sent.familyName = random() < 0.5 ? mutate(sent.familyName) : pick(families);
        else if (field === 2) sent.dateOfBirth = pick(dates);
        else if (field === 3) sent.postcode = pick(['LS1 4AB', 'M1 1AA', null]);
        else sent.uprn = pick(['1001', '2002', null]);
      }
      const candidate = childIdentity(known);
      const identity = childIdentity(sent);
      const { outcome: found } = scoreMatch(candidate, identity);
      if (found === 'certain' || found === 'possible') {
        listedOrLinked++;
        expect({ known, sent, searched: sharesBlock(candidate, identity) }).toEqual({ known, sent, searched: true });
      }
    }
    expect(listedOrLinked).toBeGreaterThan(1000);
  });
});
