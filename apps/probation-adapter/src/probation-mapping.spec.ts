import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SafeguardingNotification, redisAclSetUser, validateMessage } from '#contracts';
import { probationNotice } from '../../../test/support/probation-notices.js';
import { ROSH_URGENCY, assessmentFactors, probationReference, toCanonical } from './probation-mapping.js';
import type { ProbationNoticeDto } from './probation-notice.dto.js';

const ids = { notificationId: '6f1d3b0e-8a53-5c1e-9d4a-2b7f0c9e1a11', correlationId: '0b8e7f2c-3d4a-4e5f-8a9b-1c2d3e4f5a6b', sourceOrganisation: 'N07' };
const notice = (overrides: Record<string, unknown> = {}) => probationNotice(overrides) as unknown as ProbationNoticeDto;

describe('probation risk-to-children notice to canonical notification', () => {
  it('maps the documented notice to a valid canonical message', async () => {
    const sent = notice({ noticeNumber: 3 });
    const message = await validateMessage(SafeguardingNotification, toCanonical(sent, ids));
    expect(message).toMatchObject({
      sourceAgency: 'probation',
      sourceOrganisation: 'N07',
      partnerReference: 'X123456/3',
      reportedAt: '2026-11-16T10:20:00Z',
      senderUrgency: 'red',
      categories: ['19B', '19C'],
      consent: { status: 'not_sought', notSoughtReason: 'risk_of_significant_harm_to_child' },
      lawfulBasis: {
        article6: 'public_task',
        article9: 'dpa2018_sch1_para18_safeguarding',
        statutoryGateways: ['children_act_2004_s11', 'crime_and_disorder_act_1998_s115'],
      },
      referralSource: '7',
      narrative: sent.riskSummary,
    });
    expect(message.occurredAt).toBeUndefined();
    expect(message.subjects.children).toEqual([
      {
        givenName: 'Amy',
        familyName: 'Example',
        dateOfBirth: '2015-06-14',
        nhsNumber: '9990000379',
        address: { lines: ['Flat 2', '14 Example Road', 'Exampletown'], postcode: 'EX2 4BB', uprn: '100012345699' },
      },
      { givenName: 'Daisy', familyName: 'Sample', dateOfBirth: '2017-10-21', address: { lines: ['7 Sample Close', 'Othertown'], postcode: 'EX9 9ZZ' } },
    ]);
    // Two children to whom he is different people: no one relationship is claimed for him; each child's is in the details.
    expect(message.subjects.adults).toEqual([
      { givenName: 'Carl', familyName: 'Sample', dateOfBirth: '1988-09-02', role: 'person_on_probation' },
      { givenName: 'Beth', familyName: 'Example', dateOfBirth: '1989-04-11', role: 'household_member' },
    ]);
    expect(message.details).toEqual({
      agency: 'probation',
      version: 1,
      crn: 'X123456',
      riskOfSeriousHarmToChildren: 'high',
      mappa: { category: 1, level: 2 },
      offences: [
        {
          nature: 'sexual_offence_against_child',
          description: 'Sexual assault of a child under 13 (Sexual Offences Act 2003 s7)',
          victimAgeAtOffence: 12,
          victimRelationship: 'child_known_to_them',
          convictedOn: '2024-07-05',
        },
        {
          nature: 'indecent_images_of_children',
          description: 'Making indecent photographs of children, category C (Protection of Children Act 1978 s1(1)(a))',
          victimRelationship: 'no_identified_victim',
          convictedOn: '2024-07-05',
        },
      ],
      sentence: { type: 'immediate_custody', lengthMonths: 54, sentencedOn: '2024-08-16', expiresOn: '2029-02-15' },
      release: { releaseDate: '2027-01-12', licenceExpiresOn: '2029-02-15', licenceConditions: sent.release!.licenceConditions },
      proposedAddress: { lines: ['Flat 2', '14 Example Road', 'Exampletown'], postcode: 'EX2 4BB', uprn: '100012345699' },
      childContact: 'likely',
      childRelationships: [
        { childIndex: 0, personOnProbationIs: 'parents_partner' },
        { childIndex: 1, personOnProbationIs: 'parent' },
      ],
      householdMembers: [{ adultIndex: 1, relationshipToPersonOnProbation: 'partner (relationship began during custody)' }],
      practitioner: { name: 'Pat Practitioner', team: 'Exampletown Probation Delivery Unit', contact: 'pat.practitioner@justice.gov.uk' },
    });
  });

  it('names the relationship on the person on probation when it is the same to every child, and their current address', async () => {
    const base = notice();
    const one = notice({
      childrenAtRisk: [base.childrenAtRisk[0]],
      personOnProbation: { ...base.personOnProbation, currentAddress: { lines: ['HMP Exampletown'], postcode: 'EX1 1AA' } },
    });
    const message = await validateMessage(SafeguardingNotification, toCanonical(one, ids));
    expect(message.subjects.adults[0]).toEqual({
      givenName: 'Carl',
      familyName: 'Sample',
      dateOfBirth: '1988-09-02',
      role: 'person_on_probation',
      relationshipToChild: "parent's partner",
      address: { lines: ['HMP Exampletown'], postcode: 'EX1 1AA' },
    });
    expect(message.categories).toEqual(['19C']);
  });

  it.each([
    ['VERY_HIGH', 'red'],
    ['HIGH', 'red'],
    ['MEDIUM', 'amber'],
    ['LOW', 'green'],
  ] as const)('takes risk of serious harm %s as sender urgency %s', (rosh, rag) => {
    expect(ROSH_URGENCY[rosh]).toBe(rag);
    expect(toCanonical(notice({ riskOfSeriousHarmToChildren: rosh }), ids).senderUrgency).toBe(rag);
  });

  it('takes the factor from the offence and the suffix from who the person on probation is to the children', () => {
    const child = (personOnProbationIs: string) => ({ personOnProbationIs }) as ProbationNoticeDto['childrenAtRisk'][number];
    const offence = (nature: string) => ({ nature }) as ProbationNoticeDto['offences'][number];
    expect(assessmentFactors({ offences: [offence('VIOLENCE_AGAINST_CHILD')], childrenAtRisk: [child('PARENT')] })).toEqual(['18B']);
    expect(assessmentFactors({ offences: [offence('CHILD_CRUELTY_OR_NEGLECT')], childrenAtRisk: [child('STEP_PARENT')] })).toEqual(['16B']);
    expect(assessmentFactors({ offences: [offence('DOMESTIC_ABUSE')], childrenAtRisk: [child('GRANDPARENT'), child('NEIGHBOUR')] })).toEqual(['3C']);
    expect(
      assessmentFactors({ offences: [offence('INDECENT_IMAGES_OF_CHILDREN'), offence('DOMESTIC_ABUSE')], childrenAtRisk: [child('PARENTS_PARTNER'), child('PARENT')] }),
    ).toEqual(['19B', '19C', '3B', '3C']);
    // Offences against adults alone point to no child factor: "other", not an invented one.
    expect(
      assessmentFactors({ offences: [offence('VIOLENCE_AGAINST_ADULT'), offence('STALKING_OR_HARASSMENT')], childrenAtRisk: [child('PARENT')] }),
    ).toEqual(['20']);
  });

  it('leaves out what the notice does not say: MAPPA, its level, release, proposed address', async () => {
    const base = notice();
    const { mappa: _mappa, release: _release, proposedAddress: _proposed, ...rest } = base;
    const community = { ...rest, sentence: { type: 'COMMUNITY_ORDER', lengthMonths: 24, sentencedOn: '2026-05-01' } } as unknown as ProbationNoticeDto;
    const message = await validateMessage(SafeguardingNotification, toCanonical(community, ids));
    expect(message.details).not.toHaveProperty('mappa');
    expect(message.details).not.toHaveProperty('release');
    expect(message.details).not.toHaveProperty('proposedAddress');
    const levelPending = toCanonical(notice({ mappa: { category: 2 } }), ids);
    expect(levelPending.details).toMatchObject({ mappa: { category: 2 } });
    expect((levelPending.details as { mappa: object }).mappa).not.toHaveProperty('level');
  });

  it('records who gave consent', () => {
    expect(toCanonical(notice({ consent: { status: 'GIVEN', givenBy: 'PARENT' } }), ids).consent).toEqual({ status: 'given', givenBy: 'parent' });
  });

  it('makes the reference from the CRN and the notice number', () => {
    expect(probationReference({ crn: 'A000001', noticeNumber: 12 })).toBe('A000001/12');
  });
});

describe("the adapter's README", () => {
  const readme = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');

  it('shows the notice the tests send, as it is', () => {
    const example = /```json\n([\s\S]*?)\n```/.exec(readme)?.[1];
    const fixture = readFileSync(resolve(import.meta.dirname, '../../../test/fixtures/probation-notice.json'), 'utf8');
    expect(JSON.parse(example!)).toEqual(JSON.parse(fixture));
  });

  it("documents the Redis ACL user the agency registry gives the adapter", () => {
    expect(readme).toContain(redisAclSetUser('probation', 'mash', 'CHANGE-ME-TO-A-LONG-RANDOM-PASSWORD'));
  });
});
