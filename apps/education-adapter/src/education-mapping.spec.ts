import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { EDGE_VALIDATION_OPTIONS, EducationDetails, SafeguardingNotification, toFieldErrors, validateMessage } from '#contracts';
import { schoolConcern, virtualSchoolConcern } from '../../../test/support/education-concerns.js';
import { senderProblems } from './education-concerns.controller.js';
import { EDUCATION_CONCERNS, EducationConcernDto } from './education-concern.dto.js';
import { CONCERN_FACTORS, senderUrgency, toCanonical } from './education-mapping.js';

const ids = { notificationId: '6f1d3b0e-8a53-5c1e-9d4a-2b7f0c9e1a11', correlationId: '0b8e7f2c-3d4a-4e5f-8a9b-1c2d3e4f5a6b' };

/** The concern as the adapter's validation pipe reads it. */
async function read(plain: object): Promise<{ concern: EducationConcernDto; errors: { path: string; message: string }[] }> {
  const concern = plainToInstance(EducationConcernDto, plain);
  return { concern, errors: toFieldErrors(await validate(concern, EDGE_VALIDATION_OPTIONS)) };
}

describe("a school's concern to the canonical notification", () => {
  it('maps to a valid canonical message with the pupil as the only child', async () => {
    const { concern, errors } = await read(schoolConcern());
    expect(errors).toEqual([]);
    const message = await validateMessage(SafeguardingNotification, toCanonical(concern, { ...ids, sourceOrganisation: '123456' }));
    expect(message).toMatchObject({
      sourceAgency: 'education',
      sourceOrganisation: '123456',
      partnerReference: concern.concernReference,
      occurredAt: '2026-03-04T08:50:00Z',
      reportedAt: '2026-03-04T10:20:00Z',
      categories: ['18A'],
      senderUrgency: 'amber',
      referralSource: '2A',
      consent: { status: 'not_sought', notSoughtReason: 'risk_of_significant_harm_to_child' },
      lawfulBasis: { article6: 'public_task', article9: 'dpa2018_sch1_para18_safeguarding', statutoryGateways: ['children_act_2004_s11'] },
    });
    expect(message.subjects.children).toEqual([
      expect.objectContaining({
        givenName: 'Maya',
        familyName: 'Example',
        dateOfBirth: '2016-09-03',
        schoolUrn: '123456',
        voice: { seen: true, spokenTo: true, words: "Dad grabbed my arm because I didn't tidy up. It hurts when I lift my bag." },
      }),
    ]);
    expect(message.subjects.adults.map((a) => [a.givenName, a.role])).toEqual([
      ['Rachel', 'parent'],
      ['Daniel', 'alleged_perpetrator'],
    ]);
    expect(message.details).toBeInstanceOf(EducationDetails);
    expect(message.details).toMatchObject({
      agency: 'education',
      version: 1,
      sender: 'school',
      schoolUrn: '123456',
      concernTypes: ['physical_abuse'],
      dslDecision: 'refer_to_mash',
      immediateDanger: false,
      pupils: [{ upn: 'D820400126001', yearGroup: '5', bodyMap: [{ location: 'left upper arm, outer side' }, { location: 'left forearm, inner side' }] }],
      linkedPupils: [{ givenName: 'Leo', familyName: 'Example', yearGroup: '2', connection: 'sibling' }],
      staffAlerted: [{ name: 'Tom Teacher' }, { name: 'Sarah Head' }],
    });
    expect((message.details as EducationDetails).actionsTaken).toHaveLength(3);
    // The narrative is the school's own, word for word.
    expect(message.narrative).toBe(concern.narrative);
  });

  it('never makes a linked pupil a subject, whatever the connection', async () => {
    const linkedPupils = ['SIBLING', 'WITNESS', 'ALLEGED_TO_HAVE_HARMED', 'ALSO_AFFECTED', 'OTHER'].map((connection, index) => ({
      forename: `Linked${'abcde'[index]}`,
      surname: 'Pupil',
      connection,
    }));
    const { concern, errors } = await read(schoolConcern({ linkedPupils }));
    expect(errors).toEqual([]);
    const message = toCanonical(concern, { ...ids, sourceOrganisation: '123456' });
    expect(message.subjects.children.map((c) => c.givenName)).toEqual(['Maya']);
    expect((message.details as EducationDetails).linkedPupils.map((l) => l.connection)).toEqual([
      'sibling',
      'witness',
      'alleged_to_have_harmed',
      'also_affected',
      'other',
    ]);
  });

  it("gives every category a DfE assessment factor, and merges those that share one", async () => {
    for (const category of EDUCATION_CONCERNS) expect(CONCERN_FACTORS[category]).toMatch(/^\d+[ABC]?$/);
    const { concern } = await read(schoolConcern({ concerns: ['RADICALISATION', 'OTHER', 'PARENTAL_DRUG_MISUSE'] }));
    const message = toCanonical(concern, { ...ids, sourceOrganisation: '123456' });
    expect(message.categories).toEqual(['20', '2B']);
    // The school's own categories survive in the details.
    expect((message.details as EducationDetails).concernTypes).toEqual(['radicalisation', 'other', 'parental_drug_misuse']);
  });

  it('grades immediate danger red, a referral amber, early help and monitoring green', () => {
    expect(senderUrgency({ immediateDanger: true, dslDecision: 'MONITOR' })).toBe('red');
    expect(senderUrgency({ immediateDanger: false, dslDecision: 'REFER_TO_MASH' })).toBe('amber');
    expect(senderUrgency({ immediateDanger: false, dslDecision: 'EARLY_HELP' })).toBe('green');
    expect(senderUrgency({ immediateDanger: false, dslDecision: 'MONITOR' })).toBe('green');
  });
});

describe("the virtual school's concern to the canonical notification", () => {
  it("keeps the looked-after status and responsible council, the child's school and referral source 5B", async () => {
    const { concern, errors } = await read(virtualSchoolConcern());
    expect(errors).toEqual([]);
    const message = await validateMessage(SafeguardingNotification, toCanonical(concern, { ...ids, sourceOrganisation: 'E09000028' }));
    expect(message).toMatchObject({ sourceOrganisation: 'E09000028', referralSource: '5B', categories: ['24A', '10A'], senderUrgency: 'amber' });
    expect(message.subjects.children).toEqual([expect.objectContaining({ givenName: 'Jordan', schoolUrn: '100234' })]);
    expect(message.details).toMatchObject({
      sender: 'virtual_school',
      pupils: [{ yearGroup: '9', lookedAfterStatus: 'looked_after_s31_care_order', responsibleLocalAuthority: 'E09000028', bodyMap: [] }],
      linkedPupils: [{ givenName: 'Kai', connection: 'alleged_to_have_harmed' }],
    });
    expect(message.details).not.toHaveProperty('schoolUrn');
  });
});

describe('reading a concern', () => {
  it('reports every invalid field with its path', async () => {
    const plain = schoolConcern({ concernReference: 'sc/1', concerns: ['BULLYING'], dslDecision: 'PANIC' });
    const pupil = plain.pupils[0] as Record<string, unknown>;
    pupil.upn = 'A820400126001';
    pupil.yearGroup = 'Y5';
    (plain.linkedPupils[0] as Record<string, unknown>).connection = 'VICTIM';
    const { errors } = await read(plain);
    expect(errors.map((e) => e.path).sort()).toEqual(
      ['concernReference', 'concerns', 'dslDecision', 'linkedPupils[0].connection', 'pupils[0].upn', 'pupils[0].yearGroup'].sort(),
    );
    expect(errors.find((e) => e.path === 'pupils[0].upn')?.message).toMatch(/check letter/);
  });

  it('needs the looked-after status from a virtual school, and no URN of its own', async () => {
    const plain = virtualSchoolConcern({ schoolUrn: '123456' });
    delete (plain.pupils[0] as Record<string, unknown>).lookedAfter;
    const { errors } = await read(plain);
    expect(errors).toEqual([
      { path: 'schoolUrn', message: "schoolUrn must not be sent by a virtual school, which has no URN: give the child's school as pupils[].schoolUrn" },
      {
        path: 'pupils[0].lookedAfter',
        message: "lookedAfter is required when the virtual school sends: the child's looked-after status and responsible council",
      },
    ]);
  });

  it("needs a school's URN, and lets it give a pupil's looked-after status too", async () => {
    const noUrn = schoolConcern();
    delete (noUrn as Record<string, unknown>).schoolUrn;
    expect((await read(noUrn)).errors).toEqual([{ path: 'schoolUrn', message: 'schoolUrn must be the 6-digit URN of the school raising the concern' }]);
    const known = schoolConcern();
    (known.pupils[0] as Record<string, unknown>).lookedAfter = { status: 'PREVIOUSLY_LOOKED_AFTER', responsibleLocalAuthority: 'E08000025' };
    const { concern, errors } = await read(known);
    expect(errors).toEqual([]);
    expect((toCanonical(concern, { ...ids, sourceOrganisation: '123456' }).details as EducationDetails).pupils[0]).toMatchObject({
      lookedAfterStatus: 'previously_looked_after',
    });
  });

  it('the sender must be the credential: a school under its URN, a virtual school under its ONS code', async () => {
    const { concern: school } = await read(schoolConcern());
    expect(senderProblems(school, '123456')).toEqual([]);
    expect(senderProblems(school, '654321')).toEqual([
      { path: 'schoolUrn', message: 'schoolUrn must be 654321, the URN of the school this credential belongs to' },
    ]);
    expect(senderProblems(school, 'E09000028')).toEqual([
      { path: 'raisedBy', message: 'raisedBy must be VIRTUAL_SCHOOL: this credential is the virtual school of E09000028' },
    ]);
    const { concern: virtual } = await read(virtualSchoolConcern());
    expect(senderProblems(virtual, 'E09000028')).toEqual([]);
    expect(senderProblems(virtual, '123456')).toEqual([{ path: 'raisedBy', message: 'raisedBy must be SCHOOL: this credential is the school with URN 123456' }]);
  });
});

describe("the README's examples", () => {
  const readme = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');
  const examples = [...readme.matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => JSON.parse(match[1]) as object);

  it('are a school concern and a virtual school concern that are read without error and map to valid notifications', async () => {
    expect(examples.map((example) => (example as { raisedBy: string }).raisedBy)).toEqual(['SCHOOL', 'VIRTUAL_SCHOOL']);
    for (const [example, organisation] of [[examples[0], '123456'], [examples[1], 'E09000028']] as const) {
      const { concern, errors } = await read(example);
      expect(errors).toEqual([]);
      expect(senderProblems(concern, organisation)).toEqual([]);
      await expect(validateMessage(SafeguardingNotification, toCanonical(concern, { ...ids, sourceOrganisation: organisation }))).resolves.toBeDefined();
    }
  });
});
