import { AGENCIES, type Agency } from './agencies.js';

/**
 * Every hop is named after what happens to a safeguarding message.
 * Each agency's adapter publishes to that agency's own intake queue on the
 * hub; the hub publishes follow-ups to one queue per agency, which that
 * agency's adapter consumes.
 *
 * The intake queue is a statement of origin: in production each adapter
 * connects to Redis as its own ACL user, allowed to write only its agency's
 * keys, so the hub may trust that a message on `hub-intake-police` came from
 * the police adapter (and refuses one that claims otherwise).
 */
const INTAKE_QUEUE_PREFIX = 'hub-intake-';

export function hubIntakeQueue(agency: Agency): string {
  return `${INTAKE_QUEUE_PREFIX}${agency}`;
}

/** Every agency's intake queue, in AGENCIES order. */
export const HUB_INTAKE_QUEUES: readonly string[] = AGENCIES.map(hubIntakeQueue);

/** The agency whose adapter alone may write to this intake queue; undefined for any other queue. */
export function intakeQueueAgency(queue: string): Agency | undefined {
  return AGENCIES.find((agency) => hubIntakeQueue(agency) === queue);
}

export function agencyQueue(agency: Agency): string {
  return `${agency}-deliveries`;
}

/** The adapter's own queue of pushes of inbox messages to organisations' registered endpoints. */
export function inboxPushQueue(agency: Agency): string {
  return `${agency}-inbox-push`;
}

/** Message patterns (the BullMQ job name, and the Nest @EventPattern). */
export const MessagePatterns = {
  /** A partner's safeguarding notification, in canonical form, for the hub. */
  notificationReceived: 'notification.received',
  /** The hub has stored a notification and tells the sending agency which contact it joined. */
  notificationAccepted: 'notification.accepted',
  /** The hub shares information with a partner organisation (after the sharing decision allowed it), for its inbox. */
  informationShared: 'information.shared',
  /** An adapter refused a partner's request (no, bad or foreign credential), for the hub's audit trail. */
  partnerAccessRefused: 'partner.access_refused',
  /** A partner system was given messages from its organisation's inbox, or acknowledged one, for the hub's audit trail. */
  inboxActivity: 'inbox.activity',
  /** A partner organisation answers an information request, for the hub. */
  informationAnswered: 'information_request.answered',
  /** The hub withdrew an information request, for the recipient's adapter. */
  informationRequestWithdrawn: 'information_request.withdrawn',
  /** Push one inbox message to its organisation's registered endpoint (the adapter's own push queue). */
  inboxPush: 'inbox.push',
} as const;
