import type { Actor } from '../audit/audit-trail.js';
import type { StaffAccount } from './staff-account.entity.js';
import { HUB_ISSUER } from './staff-tokens.js';
import type { StaffMember } from './staff.js';

/**
 * A member of staff in the audit trail: the stable subject their issuer gave them (an account
 * id, or the identity provider's sub) as the actor id; the issuer and the name they showed
 * at the time go into the event's details, so a rename never changes who acted.
 */
export function staffActor(staff: StaffMember): Actor {
  return { type: 'person', id: staff.id, onBehalfOf: staff.roles.join(','), issuer: staff.issuer, name: staff.name };
}

/** A built-in account, acting through the hub's own sign-in. */
export function accountActor(account: Pick<StaffAccount, 'id' | 'username' | 'roles'>): Actor {
  return { type: 'person', id: account.id, onBehalfOf: account.roles.join(','), issuer: HUB_ISSUER, name: account.username };
}
