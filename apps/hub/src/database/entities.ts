import { AccessRefusalTally } from '../access/access-refusal-tally.entity.js';
import { RefreshToken } from '../access/refresh-token.entity.js';
import { StaffAccount } from '../access/staff-account.entity.js';
import { AuditChainHead } from '../audit/audit-chain-head.entity.js';
import { AuditCheckpoint } from '../audit/audit-checkpoint.entity.js';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { ChildMerge } from '../children/child-merge.entity.js';
import { Child } from '../children/child.entity.js';
import { PossibleMatch } from '../children/possible-match.entity.js';
import { ContactNotification } from '../contacts/contact-notification.entity.js';
import { Contact } from '../contacts/contact.entity.js';
import { Notification } from '../notifications/notification.entity.js';
import { OutboxMessage } from '../outbox/outbox-message.entity.js';
import { Alert } from '../alerts/alert.entity.js';
import { ConsentRecord } from '../sharing/consent-record.entity.js';
import { OwnerAgreement } from '../sharing/owner-agreement.entity.js';
import { Share } from '../sharing/share.entity.js';

export const ENTITIES = [Child, Notification, Contact, ContactNotification, AuditEvent, AuditChainHead, AuditCheckpoint, OutboxMessage, StaffAccount, RefreshToken, AccessRefusalTally, Share, ConsentRecord, OwnerAgreement, Alert, PossibleMatch, ChildMerge];
