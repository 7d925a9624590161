import type { Bundle, BundleEntry, BundleLink, Communication, Resource } from '@medplum/fhirtypes';
import { MessagePatterns, NotificationAccepted } from '#contracts';
import type { StoredInboxMessage } from '#adapter-kit';
import { INBOX_MESSAGE_KIND_SYSTEM, INBOX_MESSAGE_SYSTEM, MASH_CONTACT_SYSTEM, ODS_ORGANISATION_SYSTEM, URI_SYSTEM } from './fhir-systems.js';

/**
 * The inbox message kinds given as FHIR Communications: what the MASH tells
 * the organisation. Requests it makes of the organisation will be Tasks; the
 * MASH sends none yet, so no kind is given as a Task.
 */
export const COMMUNICATION_KINDS: readonly string[] = [MessagePatterns.notificationAccepted];

/** The referral's Communication.identifier as the partner sent it; the system only while its receipt keeps it. */
export interface ReferralIdentifier {
  system?: string;
  value: string;
}

/**
 * The MASH's acceptance of a referral, as a Communication from the MASH to the
 * sending organisation: in response to the referral (by the identifier the
 * partner gave it), about the notification the MASH made of it, carrying the
 * contacts it joined. Its id and identifier are the inbox message id, which
 * $acknowledge takes.
 */
export function acceptanceCommunication(message: StoredInboxMessage, organisation: string, referral: ReferralIdentifier): Communication {
  const accepted = message.body as unknown as NotificationAccepted;
  return {
    resourceType: 'Communication',
    id: message.messageId,
    identifier: [{ system: INBOX_MESSAGE_SYSTEM, value: message.messageId }],
    inResponseTo: [{ type: 'Communication', identifier: { ...(referral.system && { system: referral.system }), value: referral.value } }],
    status: 'completed',
    category: [{ coding: [{ system: INBOX_MESSAGE_KIND_SYSTEM, code: MessagePatterns.notificationAccepted, display: 'Referral accepted by the MASH' }] }],
    about: [{ identifier: { system: URI_SYSTEM, value: `urn:uuid:${accepted.notificationId}` }, display: 'The MASH notification made of the referral' }],
    sent: accepted.acceptedAt,
    recipient: [{ type: 'Organization', identifier: { system: ODS_ORGANISATION_SYSTEM, value: organisation } }],
    sender: { display: 'Multi-agency safeguarding hub' },
    payload: [
      { contentString: `Accepted by the MASH: it joined ${accepted.contactIds.length === 1 ? 'one contact' : `${accepted.contactIds.length} contacts`}.` },
      ...accepted.contactIds.map((contactId) => ({ contentReference: { identifier: { system: MASH_CONTACT_SYSTEM, value: contactId }, display: 'MASH contact' } })),
    ],
  };
}

/** A page of search results, oldest first; `next` (when more may follow) and `self` are absolute URLs. */
export function searchset(resources: Resource[], links: { self: string; next: string | null }, base: string): Bundle {
  const link: BundleLink[] = [{ relation: 'self', url: links.self }];
  if (links.next) link.push({ relation: 'next', url: links.next });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: new Date().toISOString(),
    link,
    entry: resources.map(
      (resource): BundleEntry => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' } }),
    ),
  };
}
