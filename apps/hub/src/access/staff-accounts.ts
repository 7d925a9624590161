import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditTrail } from '../audit/audit-trail.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { StaffAccount } from './staff-account.entity.js';
import type { StaffRole } from './staff.js';

/** Development sign-ins, documented in the README; never created when MASH_ENV is production. */
export const DEVELOPMENT_ACCOUNTS: { username: string; roles: StaffRole[]; team?: string }[] = [
  // Two MASH teams, so the timeliness figures per team have something to show.
  { username: 'sam.screener', roles: ['screener'], team: 'MASH North' },
  { username: 'meg.manager', roles: ['manager'], team: 'MASH South' },
  { username: 'ada.auditor', roles: ['auditor'] },
  { username: 'al.admin', roles: ['admin'] },
];
export const DEVELOPMENT_PASSWORD = 'development only';

/** Creates an account unless the username exists; returns whether it did. */
export async function createStaffAccount(
  manager: EntityManager,
  audit: AuditTrail,
  account: { username: string; roles: StaffRole[]; password: string; team?: string },
  createdBy: string,
): Promise<boolean> {
  const problem = passwordProblem(account.password);
  if (problem) throw new Error(problem);
  if (await manager.existsBy(StaffAccount, { username: account.username })) return false;
  const id = randomUUID();
  // Two hubs starting together both find the username free: the second insert yields, not fails.
  const inserted = await manager
    .createQueryBuilder()
    .insert()
    .into(StaffAccount)
    .values({
      id,
      username: account.username,
      roles: account.roles,
      team: account.team ?? null,
      passwordHash: await hashPassword(account.password),
      failedSignIns: 0,
      lockedUntil: null,
      disabledAt: null,
    })
    .orIgnore()
    .returning('id')
    .execute();
  if ((inserted.raw as unknown[]).length === 0) return false;
  await audit.record(manager, {
    actor: { type: 'person', id: createdBy },
    action: 'account.created',
    subject: { type: 'staff_account', id },
    purpose: 'access control',
    details: { username: account.username, roles: account.roles, ...(account.team && { team: account.team }) },
  });
  return true;
}
