import { randomInt } from 'node:crypto';

/** A fresh concern reference each time, in the education format's form (prefix, year, serial). */
function reference(prefix: string): string {
  return `${prefix}-2026-${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}

/**
 * A primary school DSL's concern about a Year 5 pupil, about fictitious
 * people: bruising seen in PE, the pupil's own account, a body map, and her
 * younger brother linked as a sibling (not a subject). Sent under the school's URN.
 */
export function schoolConcern(overrides: Record<string, unknown> = {}) {
  return {
    concernReference: reference('SC'),
    raisedBy: 'SCHOOL',
    schoolUrn: '123456',
    raisedAt: '2026-03-04T10:20:00Z',
    observedAt: '2026-03-04T08:50:00Z',
    designatedSafeguardingLead: { name: 'Priya Lead', role: 'Deputy head teacher and DSL', contact: '020 7946 0000' },
    pupils: [
      {
        forename: 'Maya',
        surname: 'Example',
        dateOfBirth: '2016-09-03',
        upn: 'D820400126001',
        yearGroup: '5',
        address: { lines: ['12 Sample Road', 'Exampletown'], postcode: 'EX2 2BB' },
        voiceOfChild: { seen: true, spokenTo: true, words: "Dad grabbed my arm because I didn't tidy up. It hurts when I lift my bag." },
        bodyMap: [
          { location: 'left upper arm, outer side', description: 'four oval bruises in a row, each about 1 cm, blue-purple' },
          { location: 'left forearm, inner side', description: 'one oval bruise about 2 cm, yellow-green' },
        ],
      },
    ],
    linkedPupils: [{ forename: 'Leo', surname: 'Example', dateOfBirth: '2019-05-21', yearGroup: '2', connection: 'SIBLING' }],
    adults: [
      { forename: 'Rachel', surname: 'Example', role: 'PARENT', relationshipToPupil: 'mother' },
      { forename: 'Daniel', surname: 'Example', role: 'ALLEGED_TO_HAVE_HARMED', relationshipToPupil: 'father' },
    ],
    concerns: ['PHYSICAL_ABUSE'],
    narrative:
      "At 08:50 in PE, the class teacher saw bruises on Maya's left arm as she changed. She told the teacher, unprompted, that her father had grabbed her arm the evening before. The DSL spoke with Maya at 09:30 with the class teacher present, asked only open questions and recorded the marks on a body map. Maya said she did not want to go home tonight. No previous concerns are recorded for Maya; her brother Leo (Year 2) was seen and is well.",
    staffAlerted: [
      { name: 'Tom Teacher', role: 'Class teacher, Year 5' },
      { name: 'Sarah Head', role: 'Head teacher' },
    ],
    actionsTaken: [
      "Body map completed by the DSL at 09:30; Maya's account written down in her own words",
      'Parents not contacted, on the DSL decision that telling them could put Maya at risk',
      'Maya to stay with the pastoral lead until the MASH calls back',
    ],
    immediateDanger: false,
    dslDecision: 'REFER_TO_MASH',
    consent: { status: 'NOT_SOUGHT', reasonNotSought: 'RISK_TO_CHILD' },
    ...overrides,
  };
}

/**
 * The virtual school's concern about a Year 9 child in care under a care
 * order, placed with foster carers and attending a school out of the
 * borough. Sent under the council's ONS code (E09000028), not a URN.
 */
export function virtualSchoolConcern(overrides: Record<string, unknown> = {}) {
  return {
    concernReference: reference('VS'),
    raisedBy: 'VIRTUAL_SCHOOL',
    raisedAt: '2026-03-05T15:05:00Z',
    observedAt: '2026-03-05T11:30:00Z',
    designatedSafeguardingLead: { name: 'Alex Head', role: 'Virtual school head', contact: 'virtual.school@example.gov.uk' },
    pupils: [
      {
        forename: 'Jordan',
        surname: 'Sample',
        dateOfBirth: '2012-11-17',
        upn: 'T820400126002',
        yearGroup: '9',
        schoolUrn: '100234',
        voiceOfChild: { seen: true, spokenTo: true, words: "They give me money to take bags to people. I can't stop now, they know where I live." },
        bodyMap: [],
        lookedAfter: { status: 'S31_CARE_ORDER', responsibleLocalAuthority: 'E09000028' },
      },
    ],
    linkedPupils: [{ forename: 'Kai', surname: 'Other', yearGroup: '10', connection: 'ALLEGED_TO_HAVE_HARMED' }],
    concerns: ['CHILD_CRIMINAL_EXPLOITATION', 'MISSING'],
    narrative:
      "Jordan's designated teacher told the virtual school that Jordan has missed afternoon lessons on six days in three weeks and has a new phone and new clothes. At the PEP meeting today Jordan said older boys pay him to carry bags. A Year 10 pupil at the same school, Kai, is seen collecting him at lunchtime. The foster carer reports two late returns this month, one after midnight.",
    staffAlerted: [
      { name: 'Morgan Teacher', role: 'Designated teacher for looked-after children' },
      { name: 'Sam Worker', role: "Jordan's social worker" },
    ],
    actionsTaken: ["Jordan's social worker told by telephone at 14:40", 'Attendance to be checked at each lesson and reported daily to the virtual school'],
    immediateDanger: false,
    dslDecision: 'REFER_TO_MASH',
    consent: { status: 'NOT_REQUIRED' },
    ...overrides,
  };
}
