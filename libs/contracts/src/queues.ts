import type { Agency } from './agencies.js';

/**
 * Every hop is named after what happens to a safeguarding message.
 * Adapters publish to the hub's intake queue; the hub publishes follow-ups to
 * one queue per agency, which that agency's adapter consumes.
 */
export const HUB_INTAKE_QUEUE = 'hub-intake';

export function agencyQueue(agency: Agency): string {
  return `${agency}-deliveries`;
}

/** Message patterns (the BullMQ job name, and the Nest @EventPattern). */
export const MessagePatterns = {
  /** A partner's safeguarding notification, in canonical form, for the hub. */
  notificationReceived: 'notification.received',
  /** The hub has stored a notification and tells the sending agency which contact it joined. */
  notificationAccepted: 'notification.accepted',
} as const;
