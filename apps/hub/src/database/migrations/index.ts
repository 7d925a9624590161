import { InitialSchema1763884800000 } from './1763884800000-initial-schema.js';
import { AuditAppendOnly1763884800001 } from './1763884800001-audit-append-only.js';
import { StaffAccounts1763884800002 } from './1763884800002-staff-accounts.js';
import { NotificationSourceOrganisation1763884800010 } from './1763884800010-notification-source-organisation.js';
import { AccessRefusalTally1763884800020 } from './1763884800020-access-refusal-tally.js';
import { OutboxClaims1763884800030 } from './1763884800030-outbox-claims.js';
import { ContactQueueKeyset1763884800040 } from './1763884800040-contact-queue-keyset.js';
import { NotificationAgencyDetails1763884800050 } from './1763884800050-notification-agency-details.js';
import { PartnerReferenceWithSystem1763884800060 } from './1763884800060-partner-reference-with-system.js';
import { Sharing1763884800070 } from './1763884800070-sharing.js';
import { Screening1763884800080 } from './1763884800080-screening.js';
import { InformationRequests1763884800085 } from './1763884800085-information-requests.js';
import { ChildIdentity1763884800090 } from './1763884800090-child-identity.js';
import { ContactQueueDeadlineAgency1763884800100 } from './1763884800100-contact-queue-deadline-agency.js';
import { StaffTeams1763884800110 } from './1763884800110-staff-teams.js';

/** Every migration, oldest first. */
export const MIGRATIONS = [
  InitialSchema1763884800000,
  AuditAppendOnly1763884800001,
  StaffAccounts1763884800002,
  NotificationSourceOrganisation1763884800010,
  AccessRefusalTally1763884800020,
  OutboxClaims1763884800030,
  ContactQueueKeyset1763884800040,
  NotificationAgencyDetails1763884800050,
  PartnerReferenceWithSystem1763884800060,
  Sharing1763884800070,
  Screening1763884800080,
  InformationRequests1763884800085,
  ChildIdentity1763884800090,
  ContactQueueDeadlineAgency1763884800100,
  StaffTeams1763884800110,
];
