import { exampleNotification } from './examples.js';
import { InvalidMessageError, validateMessage } from './field-errors.js';
import { SafeguardingNotification, readNotification } from './safeguarding-notification.js';

async function errorsOf(plain: unknown) {
  try {
    await validateMessage(SafeguardingNotification, plain);
  } catch (error) {
    if (error instanceof InvalidMessageError) return error.errors;
    throw error;
  }
  return [];
}

describe('SafeguardingNotification', () => {
  it('accepts the documented example', async () => {
    const message = await validateMessage(SafeguardingNotification, exampleNotification());
    expect(message).toBeInstanceOf(SafeguardingNotification);
    expect(message.subjects.children[0].givenName).toBe('Amy');
  });

  it('reports every invalid field at once, with its full path', async () => {
    const bad = exampleNotification();
    bad.subjects.children[0].nhsNumber = '9434765918';
    bad.subjects.children[0].dateOfBirth = '2015-02-30';
    bad.subjects.adults[1].role = 'neighbour' as never;
    bad.categories = ['3A', '99Z' as never];
    const errors = await errorsOf(bad);
    const paths = errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'subjects.children[0].nhsNumber',
        'subjects.children[0].dateOfBirth',
        'subjects.adults[1].role',
        'categories',
      ]),
    );
    expect(errors.find((e) => e.path === 'subjects.children[0].nhsNumber')?.message).toMatch(/check digit/);
  });

  it("requires the sender's organisation, in its agency's form", async () => {
    const missing = exampleNotification();
    delete (missing as Partial<typeof missing>).sourceOrganisation;
    expect(await errorsOf(missing)).toEqual([
      { path: 'sourceOrganisation', message: 'sourceOrganisation must be the Home Office police force code (2 digits, 01 to 99) for police, e.g. 01' },
    ]);
    expect((await errorsOf(exampleNotification({ sourceOrganisation: 'RJ1' }))).map((e) => e.path)).toEqual(['sourceOrganisation']);
    // The rule follows the agency: an ODS code is a health organisation.
    const health = exampleNotification({ sourceAgency: 'health', sourceOrganisation: 'RJ1' });
    expect((await errorsOf(health)).map((e) => e.path)).not.toContain('sourceOrganisation');
  });

  it('requires who gave consent when consent was given', async () => {
    const errors = await errorsOf(exampleNotification({ consent: { status: 'given' } }));
    expect(errors).toEqual([expect.objectContaining({ path: 'consent.givenBy' })]);
  });

  it('requires the reason when consent was not sought', async () => {
    const errors = await errorsOf(exampleNotification({ consent: { status: 'not_sought' } }));
    expect(errors).toEqual([expect.objectContaining({ path: 'consent.notSoughtReason' })]);
  });

  it('requires at least one child and a date of birth unless unborn', async () => {
    const noChildren = exampleNotification();
    noChildren.subjects.children = [];
    expect((await errorsOf(noChildren)).map((e) => e.path)).toContain('subjects.children');

    const unborn = exampleNotification();
    delete unborn.subjects.children[0].dateOfBirth;
    expect((await errorsOf(unborn)).map((e) => e.path)).toContain('subjects.children[0].dateOfBirth');
    unborn.subjects.children[0].expectedDateOfDelivery = '2026-12-01';
    expect(await errorsOf(unborn)).toEqual([]);
  });

  it('checks a date of birth given beside an expected date of delivery', async () => {
    const both = exampleNotification();
    both.subjects.children[0].expectedDateOfDelivery = '2015-06-20';
    for (const dateOfBirth of ['2015-02-30', '2999-01-01', 'yesterday']) {
      both.subjects.children[0].dateOfBirth = dateOfBirth;
      expect((await errorsOf(both)).map((e) => e.path)).toEqual(['subjects.children[0].dateOfBirth']);
    }
    both.subjects.children[0].dateOfBirth = '2015-06-14';
    expect(await errorsOf(both)).toEqual([]);
  });

  it('refuses text that cannot be stored as sent, wherever it is', async () => {
    const bad = exampleNotification({ narrative: 'before\u0000after' });
    bad.subjects.children[0].givenName = 'Amy\udc00';
    const errors = await errorsOf(bad);
    expect(errors.filter((e) => /unpaired surrogates/.test(e.message)).map((e) => e.path)).toEqual(['subjects.children[0].givenName', 'narrative']);
  });

  it('refuses unknown fields rather than dropping them', async () => {
    const errors = await errorsOf({ ...exampleNotification(), colour: 'blue' });
    expect(errors).toEqual([expect.objectContaining({ path: 'colour' })]);
  });

  it("requires the sending agency's own details, in their version", async () => {
    expect((await errorsOf(exampleNotification({ details: undefined }))).map((e) => e.path)).toContain('details');
    const health = exampleNotification({ sourceAgency: 'health', sourceOrganisation: 'RJ1' });
    expect(await errorsOf(health)).toContainEqual({
      path: 'details',
      message: `details must be the sending agency's details: details.agency must be "health", not "police"`,
    });
    const police = exampleNotification();
    const wrongVersion = { ...police, details: { ...police.details, version: 7 } };
    expect(await errorsOf(wrongVersion)).toEqual([{ path: 'details.version', message: 'version must be 1: the only version of the police details' }]);
    const unknown = { ...police, details: { agency: 'coastguard', version: 1 } };
    expect((await errorsOf(unknown)).map((e) => e.path)).toEqual(expect.arrayContaining(['details', 'details.agency']));
  });

  it('takes a reference alone or after the URI of the system that issued it, and nothing else', async () => {
    const withReference = (partnerReference: string) => errorsOf(exampleNotification({ partnerReference }));
    expect(await withReference('PPN/2026/000123')).toEqual([]);
    expect(await withReference('https://fhir.example-hospitals.nhs.uk/Id/safeguarding-referral|SGR-2026-000123')).toEqual([]);
    for (const bad of ['no scheme|SGR-1', 'https://a|b|SGR-1', 'https://example.org/|', '|SGR-1', `https://example.org/${'x'.repeat(260)}|SGR-1`]) {
      expect((await withReference(bad)).map((e) => e.path)).toEqual(['partnerReference']);
    }
  });

  it('requires a DfE referral source code', async () => {
    expect(await errorsOf(exampleNotification({ referralSource: '3G' as never }))).toEqual([
      { path: 'referralSource', message: expect.stringMatching(/^referralSource must be a DfE referral source code: one of 1A, 1B/) },
    ]);
  });

  it('refuses a date of birth in the future and an instant without a time zone', async () => {
    const bad = exampleNotification({ reportedAt: '2026-03-02T08:15:00' });
    bad.subjects.children[0].dateOfBirth = '2999-01-01';
    const paths = (await errorsOf(bad)).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['reportedAt', 'subjects.children[0].dateOfBirth']));
  });

  it('may name the partner system that submitted it, and stays valid without', async () => {
    const submittedBy = { credentialId: '0b5f3c3e-1d2a-4c4b-9e55-2f3a4b5c6d7e', system: 'Exampleshire Police PPN' };
    const message = await validateMessage(SafeguardingNotification, exampleNotification({ submittedBy }));
    expect(message.submittedBy).toEqual(submittedBy);
    expect(await errorsOf(exampleNotification())).toEqual([]);
    const paths = (await errorsOf(exampleNotification({ submittedBy: { credentialId: 'police', system: '' } }))).map((e) => e.path);
    expect(paths.sort()).toEqual(['submittedBy.credentialId', 'submittedBy.system']);
  });

  it('refuses something that is not an object', async () => {
    expect(await errorsOf('hello')).toEqual([{ path: '', message: 'must be a JSON object' }]);
  });
});

describe('a version 1 notification from a queue', () => {
  /** A police notification as version 1 queued it: the police details in `police`, no referral source. */
  function versionOne() {
    const { details, referralSource: _source, ...core } = exampleNotification();
    const { agency: _agency, version: _version, ...police } = details;
    return { ...core, schemaVersion: 1, police };
  }

  it('is read, validated and upgraded to the current version, losing nothing', async () => {
    const upgraded = await readNotification(versionOne());
    expect(upgraded).toBeInstanceOf(SafeguardingNotification);
    expect(JSON.parse(JSON.stringify(upgraded))).toEqual(JSON.parse(JSON.stringify(exampleNotification())));
    // And the upgrade is itself a valid current notification.
    await expect(validateMessage(SafeguardingNotification, JSON.parse(JSON.stringify(upgraded)))).resolves.toBeDefined();
  });

  it('is refused with every error, naming the version it was read as', async () => {
    const invalid = { ...versionOne(), police: { ...versionOne().police, dashRiskLevel: 'extreme' } };
    await expect(readNotification(invalid)).rejects.toThrow('safeguarding notification (version 1) is invalid: police.dashRiskLevel');
    const fromHealth = { ...versionOne(), sourceAgency: 'health', sourceOrganisation: 'RJ1' };
    const error = await readNotification(fromHealth).catch((caught: unknown) => caught);
    expect((error as InvalidMessageError).errors).toContainEqual({
      path: 'sourceAgency',
      message: 'version 1 notifications came only from the police; other agencies send version 2',
    });
  });

  it('a current notification is read as it is', async () => {
    await expect(readNotification(exampleNotification())).resolves.toBeInstanceOf(SafeguardingNotification);
    await expect(readNotification({ ...exampleNotification(), schemaVersion: 3 })).rejects.toThrow(InvalidMessageError);
  });
});
