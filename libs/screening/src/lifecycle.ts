/**
 * The life of a contact at the front door, as a pure state machine: every change of state is one of
 * these acts, allowed only from the states listed, so an illegal transition is refused with a
 * message saying why, before anything is written.
 */
export const CONTACT_STATES = [
  'awaiting_screening',
  'in_screening',
  'awaiting_information',
  'awaiting_decision',
  'awaiting_sign_off',
  'closed',
  /** The child has an allocated social worker: the contact went to that worker and team, not the MASH queue. */
  'with_allocated_worker',
] as const;
export type ContactState = (typeof CONTACT_STATES)[number];

/** States in which the contact waits in the MASH (the screeners' queue and the manager's). */
export const MASH_STATES: readonly ContactState[] = ['awaiting_screening', 'in_screening', 'awaiting_information', 'awaiting_decision', 'awaiting_sign_off'];

/** States that end the contact: a later notification about the child starts a new one. */
export const FINISHED_STATES: readonly ContactState[] = ['closed', 'with_allocated_worker'];

export const CONTACT_ACTS = [
  'start_screening',
  'request_information',
  'information_complete',
  'ready_for_decision',
  'record_decision',
  'return_for_more',
  'sign_off',
] as const;
export type ContactAct = (typeof CONTACT_ACTS)[number];

interface Rule {
  from: readonly ContactState[];
  to: ContactState;
  /** What the act is, for messages. */
  words: string;
}

const RULES: Record<ContactAct, Rule> = {
  start_screening: { from: ['awaiting_screening'], to: 'in_screening', words: 'start screening' },
  request_information: { from: ['in_screening', 'awaiting_information', 'awaiting_decision'], to: 'awaiting_information', words: 'request information' },
  information_complete: { from: ['awaiting_information'], to: 'awaiting_decision', words: 'mark the information complete' },
  ready_for_decision: { from: ['in_screening'], to: 'awaiting_decision', words: 'move to decision' },
  record_decision: { from: ['in_screening', 'awaiting_decision'], to: 'awaiting_sign_off', words: 'record a decision' },
  return_for_more: { from: ['awaiting_sign_off'], to: 'awaiting_decision', words: 'return the decision' },
  sign_off: { from: ['awaiting_sign_off'], to: 'closed', words: 'sign off' },
};

const STATE_WORDS: Record<ContactState, string> = {
  awaiting_screening: 'awaiting screening',
  in_screening: 'in screening',
  awaiting_information: 'awaiting information',
  awaiting_decision: 'awaiting a decision',
  awaiting_sign_off: 'awaiting sign-off',
  closed: 'closed',
  with_allocated_worker: 'with its allocated worker',
};

export function describeState(state: ContactState): string {
  return STATE_WORDS[state];
}

export type Transition = { allowed: true; from: ContactState; to: ContactState } | { allowed: false; from: ContactState; message: string };

/** Where the act takes a contact in `state`, or why it cannot. */
export function transition(state: ContactState, act: ContactAct): Transition {
  const rule = RULES[act];
  if (rule.from.includes(state)) return { allowed: true, from: state, to: rule.to };
  const allowedFrom = rule.from.map(describeState).join(', ');
  return {
    allowed: false,
    from: state,
    message: `Cannot ${rule.words}: the contact is ${describeState(state)}; that can only be done when it is ${allowedFrom}.`,
  };
}
