import { randomUUID } from 'node:crypto';

/** A valid police public protection notice about fictitious people, with a fresh reference. */
export function policeNotice(overrides: Record<string, unknown> = {}) {
  return {
    policeReference: `PPN/TEST/${randomUUID().slice(0, 13)}`,
    raisedAt: '2026-03-02T08:15:00Z',
    incident: {
      occurredAt: '2026-03-01T21:40:00Z',
      location: '1 Test Street, Exampletown',
      circumstances: 'Police attended a verbal and physical altercation between adults at the home address.',
      domesticAbuse: true,
    },
    officerInCase: { name: 'PC Dana Officer', collarNumber: '4521', contact: '01234 567890' },
    children: [
      {
        forename: 'Amy',
        surname: 'Example',
        dateOfBirth: '2015-06-14',
        nhsNumber: '9990000379',
        address: { lines: ['1 Test Street', 'Exampletown'], postcode: 'EX1 1AA', uprn: '100012345678' },
        schoolUrn: '123456',
        presentAtIncident: true,
        whereabouts: 'upstairs bedroom',
        welfareCheckDone: true,
        voiceOfChild: { seen: true, spokenTo: true, account: 'I hid in my room when they were shouting.' },
      },
    ],
    adults: [
      { forename: 'Beth', surname: 'Example', role: 'VICTIM', relationshipToChildren: 'mother' },
      { forename: 'Carl', surname: 'Sample', role: 'ALLEGED_PERPETRATOR', relationshipToChildren: "mother's partner" },
    ],
    concerns: ['DOMESTIC_ABUSE'],
    previousIncidents: 2,
    dashRisk: 'MEDIUM',
    ragGrading: 'AMBER',
    notificationType: 'INFORMATION_EXCHANGE',
    consent: { status: 'NOT_SOUGHT', reasonNotSought: 'RISK_TO_CHILD' },
    ...overrides,
  };
}

/** A notice about a different child each time (no NHS number; a unique name), so each opens its own contact. */
export function policeNoticeAboutNewChild(index: number, overrides: Record<string, unknown> = {}) {
  const base = policeNotice(overrides);
  const letters = String(index)
    .split('')
    .map((d) => 'abcdefghij'[Number(d)])
    .join('');
  return {
    ...base,
    children: [{ ...base.children[0], nhsNumber: undefined, forename: `Child ${letters}`, surname: `Run ${base.policeReference.slice(-8).replace(/[^a-z]/gi, 'x')}` }],
  };
}
