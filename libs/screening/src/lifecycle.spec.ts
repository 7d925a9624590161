import { CONTACT_ACTS, CONTACT_STATES, transition, type ContactAct, type ContactState } from './lifecycle.js';

describe('the contact lifecycle', () => {
  it('goes through every state from awaiting screening to closed', () => {
    const path: Array<[ContactAct, ContactState]> = [
      ['start_screening', 'in_screening'],
      ['request_information', 'awaiting_information'],
      ['information_complete', 'awaiting_decision'],
      ['record_decision', 'awaiting_sign_off'],
      ['return_for_more', 'awaiting_decision'],
      ['record_decision', 'awaiting_sign_off'],
      ['sign_off', 'closed'],
    ];
    let state: ContactState = 'awaiting_screening';
    for (const [act, expected] of path) {
      const next = transition(state, act);
      expect(next).toEqual({ allowed: true, from: state, to: expected });
      state = expected;
    }
  });

  it('refuses an illegal transition, saying what state it is in and when the act is possible', () => {
    expect(transition('awaiting_screening', 'sign_off')).toEqual({
      allowed: false,
      from: 'awaiting_screening',
      message: 'Cannot sign off: the contact is awaiting screening; that can only be done when it is awaiting sign-off.',
    });
  });

  it('lets nothing change a finished contact', () => {
    for (const state of ['closed', 'with_allocated_worker'] as const) {
      for (const act of CONTACT_ACTS) expect(transition(state, act).allowed).toBe(false);
    }
  });

  it('has a way into every state but the first and the allocated worker’s, and out of every MASH state', () => {
    const reached = new Set(CONTACT_STATES.flatMap((state) => CONTACT_ACTS.map((act) => transition(state, act)).flatMap((t) => (t.allowed ? [t.to] : []))));
    expect([...reached].sort()).toEqual(CONTACT_STATES.filter((state) => state !== 'awaiting_screening' && state !== 'with_allocated_worker').sort());
  });
});
