import { InitialSchema1763884800000 } from './1763884800000-initial-schema.js';
import { AuditAppendOnly1763884800001 } from './1763884800001-audit-append-only.js';
import { StaffAccounts1763884800002 } from './1763884800002-staff-accounts.js';
import { ContactQueueKeyset1763884800040 } from './1763884800040-contact-queue-keyset.js';

/** Every migration, oldest first. */
export const MIGRATIONS = [InitialSchema1763884800000, AuditAppendOnly1763884800001, StaffAccounts1763884800002, ContactQueueKeyset1763884800040];
