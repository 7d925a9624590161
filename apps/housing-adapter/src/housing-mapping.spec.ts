import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidMessageError, SafeguardingNotification, validateMessage } from '#contracts';
import { antiSocialBehaviourNotice, dutyToReferNotice, evictionNotice } from '../../../test/support/housing-notices.js';
import { lawfulBasis, senderUrgency, toCanonical } from './housing-mapping.js';
import { HousingNoticeDto } from './housing-notice.dto.js';

const ids = { notificationId: '6f1d3b0e-8a53-5c1e-9d4a-2b7f0c9e1a11', correlationId: '0b8e7f2c-3d4a-4e5f-8a9b-1c2d3e4f5a6b', sourceOrganisation: 'E09000028' };

/** The notice as the adapter's validation gives it to the mapping. */
const dto = (plain: object) => validateMessage(HousingNoticeDto, plain);

async function errorsOf(plain: object) {
  try {
    await dto(plain);
  } catch (error) {
    if (error instanceof InvalidMessageError) return error.errors;
    throw error;
  }
  return [];
}

describe('housing notice to canonical notification', () => {
  it('maps a duty to refer: children as subjects, adults as household members, the referral in the details', async () => {
    const notice = await dto(dutyToReferNotice());
    const message = await validateMessage(SafeguardingNotification, toCanonical(notice, ids));
    expect(message).toMatchObject({
      sourceAgency: 'housing',
      sourceOrganisation: 'E09000028',
      partnerReference: notice.caseReference,
      reportedAt: '2026-03-02T16:45:00Z',
      categories: ['3A'],
      senderUrgency: 'red',
      consent: { status: 'given', givenBy: 'parent' },
      lawfulBasis: { article6: 'legal_obligation', statutoryGateways: ['housing_act_1996_s213b', 'children_act_2004_s11'] },
      referralSource: '4',
      details: {
        agency: 'housing',
        version: 1,
        kind: 'duty_to_refer',
        officer: { name: 'Pat Officer', team: 'Housing Options', contact: 'housing.options@example.gov.uk' },
        relationshipsToApplicant: { children: ['daughter', 'son'], adults: ['applicant'] },
        dutyToRefer: { reason: 'homeless', accommodationTonight: false, chosenCouncil: 'E09000022' },
      },
    });
    expect(message.lawfulBasis.article9).toBeUndefined();
    expect(message.occurredAt).toBeUndefined();
    expect(message.subjects.children.map((c) => [c.givenName, c.dateOfBirth, c.schoolUrn])).toEqual([
      ['Mia', '2018-09-03', '100234'],
      ['Leo', '2023-01-15', undefined],
    ]);
    expect(message.subjects.children[0].address).toEqual({ lines: ['Flat 4', '12 Example Road', 'Exampletown'], postcode: 'SE1 2QH', uprn: '200003480421' });
    expect(message.subjects.adults).toEqual([
      expect.objectContaining({ givenName: 'Grace', dateOfBirth: '1994-11-21', role: 'household_member', relationshipToChild: 'mother' }),
    ]);
    expect(message.narrative).toBe(notice.summary);
  });

  it('counts a member as a child by age on the day raised: 17 is a child, 18 an adult', async () => {
    const notice = dutyToReferNotice();
    notice.household.members.push(
      { forename: 'Ada', surname: 'Okafor', dateOfBirth: '2008-03-03', relationshipToApplicant: 'daughter' },
      { forename: 'Ben', surname: 'Okafor', dateOfBirth: '2008-03-02', relationshipToApplicant: 'son' },
    );
    const message = toCanonical(await dto(notice), ids);
    expect(message.subjects.children.map((c) => c.givenName)).toEqual(['Mia', 'Leo', 'Ada']);
    expect(message.subjects.adults.map((a) => a.givenName)).toEqual(['Grace', 'Ben']);
    expect(message.details).toMatchObject({ relationshipsToApplicant: { children: ['daughter', 'son', 'daughter'], adults: ['applicant', 'son'] } });
  });

  it('maps anti-social behaviour on public task, with s115, and its concerns as factors', async () => {
    const notice = await dto(antiSocialBehaviourNotice());
    const message = await validateMessage(SafeguardingNotification, toCanonical(notice, { ...ids, sourceOrganisation: 'E08000025' }));
    expect(message).toMatchObject({
      categories: ['14A', '24A'],
      senderUrgency: 'amber',
      consent: { status: 'not_sought', notSoughtReason: 'risk_of_significant_harm_to_child' },
      lawfulBasis: { article6: 'public_task', statutoryGateways: ['children_act_2004_s11', 'crime_and_disorder_act_1998_s115'] },
      details: {
        kind: 'anti_social_behaviour',
        antiSocialBehaviour: { category: 'nuisance', householdRole: 'alleged_perpetrator', riskLevel: 'medium', incidentCount: 6, actionsTaken: ['warning_letter'] },
      },
    });
    expect(message.details).not.toHaveProperty('dutyToRefer');
  });

  it('maps an eviction with its notice, date and arrears; health concerns add the Article 9 condition', async () => {
    const notice = await dto(evictionNotice({ concerns: ['PARENTAL_MENTAL_HEALTH'] }));
    const message = await validateMessage(SafeguardingNotification, toCanonical(notice, ids));
    expect(message).toMatchObject({
      categories: ['4B'],
      senderUrgency: 'red',
      consent: { status: 'not_required' },
      lawfulBasis: { article6: 'public_task', article9: 'dpa2018_sch1_para18_safeguarding', statutoryGateways: ['children_act_2004_s11'] },
      details: {
        kind: 'eviction',
        eviction: { noticeType: 'warrant_of_possession', servedOn: '2026-02-20', leaveBy: '2026-03-06', reason: 'rent_arrears', arrearsPounds: 2140.5, landlord: 'council' },
      },
    });
  });

  it('leaves categories empty when the officer noted no concern: homelessness is not a DfE factor', async () => {
    const message = toCanonical(await dto(dutyToReferNotice({ concerns: [] })), ids);
    expect(message.categories).toEqual([]);
    await expect(validateMessage(SafeguardingNotification, message)).resolves.toBeDefined();
  });

  it('grades urgency by the documented rule', async () => {
    const referral = (section: object) => dto(dutyToReferNotice({ dutyToRefer: { chosenCouncil: 'E09000022', ...section } }));
    expect(senderUrgency(await referral({ reason: 'HOMELESS', accommodationTonight: false }))).toBe('red');
    expect(senderUrgency(await referral({ reason: 'HOMELESS', accommodationTonight: true }))).toBe('amber');
    expect(senderUrgency(await referral({ reason: 'THREATENED_WITH_HOMELESSNESS', expectedHomelessOn: '2026-03-09' }))).toBe('amber');
    expect(senderUrgency(await referral({ reason: 'THREATENED_WITH_HOMELESSNESS', expectedHomelessOn: '2026-03-10' }))).toBe('green');
    const asb = (riskLevel: string) => dto(antiSocialBehaviourNotice({ antiSocialBehaviour: { ...antiSocialBehaviourNotice().antiSocialBehaviour, riskLevel } }));
    expect([senderUrgency(await asb('HIGH')), senderUrgency(await asb('MEDIUM')), senderUrgency(await asb('STANDARD'))]).toEqual(['red', 'amber', 'green']);
    const eviction = (section: object) => dto(evictionNotice({ eviction: { ...evictionNotice().eviction, ...section } }));
    expect(senderUrgency(await eviction({ noticeType: 'WARRANT_OF_POSSESSION', leaveBy: '2026-03-10' }))).toBe('amber');
    expect(senderUrgency(await eviction({ noticeType: 'SECTION_8', leaveBy: '2026-03-06' }))).toBe('amber');
    expect(senderUrgency(await eviction({ noticeType: 'SECTION_8', leaveBy: '2026-04-28' }))).toBe('green');
  });

  it('declares the registry default for a duty to refer, and copies it', async () => {
    const notice = await dto(dutyToReferNotice());
    const basis = lawfulBasis(notice);
    basis.statutoryGateways.push('children_act_1989_s47');
    expect(lawfulBasis(notice).statutoryGateways).toEqual(['housing_act_1996_s213b', 'children_act_2004_s11']);
  });
});

describe('the housing notice format', () => {
  it("accepts the README's example and maps it as the README says", async () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');
    const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(readme)![1]);
    const message = await validateMessage(SafeguardingNotification, toCanonical(await dto(example), ids));
    expect(message).toMatchObject({ senderUrgency: 'red', categories: ['3A'], referralSource: '4' });
    expect(message.subjects.children.map((c) => c.givenName)).toEqual(['Mia', 'Leo']);
    expect(message.subjects.adults).toEqual([expect.objectContaining({ givenName: 'Grace', role: 'household_member', relationshipToChild: 'mother' })]);
  });

  it('refuses a duty to refer without consent, saying why', async () => {
    for (const consent of [{ status: 'REFUSED' }, { status: 'NOT_SOUGHT', reasonNotSought: 'RISK_TO_CHILD' }]) {
      const errors = await errorsOf(dutyToReferNotice({ consent }));
      expect(errors).toEqual([
        {
          path: 'consent',
          message: expect.stringMatching(/^consent\.status must be GIVEN for a duty to refer, not "(REFUSED|NOT_SOUGHT)": Housing Act 1996 s213B allows a referral only with the consent/),
        },
      ]);
    }
    // Other notices may be shared without consent, with the reason recorded.
    expect(await errorsOf(antiSocialBehaviourNotice())).toEqual([]);
  });

  it("requires the kind's section and refuses another kind's", async () => {
    const { dutyToRefer, ...withoutSection } = dutyToReferNotice();
    expect(await errorsOf(withoutSection)).toEqual([{ path: 'dutyToRefer', message: 'dutyToRefer is required when kind is DUTY_TO_REFER' }]);
    expect(await errorsOf(antiSocialBehaviourNotice({ dutyToRefer }))).toEqual([
      { path: 'dutyToRefer', message: 'dutyToRefer must be absent unless kind is DUTY_TO_REFER' },
    ]);
    expect((await errorsOf(dutyToReferNotice({ kind: 'REPAIRS' }))).map((e) => e.path)).toEqual(['kind', 'dutyToRefer']);
  });

  it('holds a threatened household to the 56 days, and an expected date to a threatened one', async () => {
    const threatened = (expectedHomelessOn: string) =>
      errorsOf(dutyToReferNotice({ dutyToRefer: { reason: 'THREATENED_WITH_HOMELESSNESS', expectedHomelessOn, chosenCouncil: 'E09000022' } }));
    expect(await threatened('2026-04-27')).toEqual([]);
    for (const late of ['2026-04-28', '2026-03-01']) {
      expect(await threatened(late)).toEqual([{ path: 'dutyToRefer', message: expect.stringMatching(/^dutyToRefer\.expectedHomelessOn must be on or after the day raisedAt and within 56 days/) }]);
    }
    const mixed = await errorsOf(dutyToReferNotice({ dutyToRefer: { reason: 'HOMELESS', expectedHomelessOn: '2026-03-09', chosenCouncil: 'W06000015' } }));
    expect([...new Set(mixed.map((e) => e.path))].sort()).toEqual(['dutyToRefer.accommodationTonight', 'dutyToRefer.chosenCouncil', 'dutyToRefer.expectedHomelessOn']);
    expect(mixed).toContainEqual({ path: 'dutyToRefer.expectedHomelessOn', message: 'expectedHomelessOn must be absent unless reason is THREATENED_WITH_HOMELESSNESS' });
  });

  it('refuses an eviction date before the notice was served', async () => {
    const eviction = { ...evictionNotice().eviction, servedOn: '2026-02-20', leaveBy: '2026-02-19' };
    expect(await errorsOf(evictionNotice({ eviction }))).toEqual([{ path: 'eviction.leaveBy', message: 'leaveBy must be on or after servedOn' }]);
  });

  it('refuses a section 21 notice served after the Renters\' Rights Act 2025 abolished them', async () => {
    const served = (servedOn: string) => ({ ...evictionNotice().eviction, noticeType: 'SECTION_21', servedOn, leaveBy: '2026-07-30' });
    expect(await errorsOf(evictionNotice({ eviction: served('2026-04-30') }))).toEqual([]);
    expect(await errorsOf(evictionNotice({ eviction: served('2026-05-01') }))).toEqual([
      {
        path: 'eviction.noticeType',
        message: 'noticeType SECTION_21 cannot have been served after 30 April 2026: the Renters\' Rights Act 2025 abolished section 21 notices from 1 May 2026',
      },
    ]);
  });

  it('refuses a household without a child, a bad case reference and a missing UPRN, all at once', async () => {
    const notice = dutyToReferNotice({ caseReference: 'hou-2026-1' });
    notice.household.members = [notice.household.members[0]];
    delete (notice.household.address as { uprn?: string }).uprn;
    const errors = await errorsOf(notice);
    expect(errors.map((e) => e.path).sort()).toEqual(['caseReference', 'household', 'household.address.uprn']);
    expect(errors).toContainEqual({
      path: 'household',
      message: 'household.members must include at least one child (under 18 on the day raisedAt): the MASH takes notices about children',
    });
  });
});
