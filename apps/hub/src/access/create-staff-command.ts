/**
 * Creates a built-in staff account: the first admin, or the screeners and managers of a council
 * that does not sign staff in through its own identity provider:
 *   STAFF_PASSWORD='…' npm run staff:create -- --username alice                 (an admin)
 *   STAFF_PASSWORD='…' npm run staff:create -- --username sam --role screener --team "MASH North"
 * or pipe the password on standard input. `staff:create-admin` is the same command. Connects as
 * DATABASE_URL; the creation is in the audit trail. Exit code 0 created, 1 refused, 2 usage.
 */
import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { AuditTrail } from '../audit/audit-trail.js';
import { createDataSource } from '../database/data-source.js';
import { createStaffAccount } from './staff-accounts.js';
import { STAFF_ROLES, type StaffRole } from './staff.js';

const USAGE = 'usage: staff:create --username NAME [--role ROLE ...] [--team TEAM]   (role admin unless given; password in STAFF_PASSWORD or on standard input)';

async function readPassword(): Promise<string> {
  if (process.env.STAFF_PASSWORD) return process.env.STAFF_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('password: ');
  for await (const line of createInterface({ input: process.stdin })) return line;
  return '';
}

async function main(): Promise<number> {
  let values: { username?: string; role?: string[]; team?: string };
  try {
    ({ values } = parseArgs({ options: { username: { type: 'string' }, role: { type: 'string', multiple: true }, team: { type: 'string' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { username, team } = values;
  if (!username || !/^[A-Za-z0-9._@-]{1,100}$/.test(username)) {
    console.error(`--username must be 1 to 100 letters, digits or . _ @ -\n${USAGE}`);
    return 2;
  }
  const roles = [...new Set(values.role ?? ['admin'])];
  if (!roles.every((role): role is StaffRole => STAFF_ROLES.includes(role as StaffRole))) {
    console.error(`--role must be one of ${STAFF_ROLES.join(', ')}\n${USAGE}`);
    return 2;
  }
  // The timeliness figures are given per team, by this name: a blank one would be a team of its own.
  if (team !== undefined && (!team.trim() || team.length > 100)) {
    console.error(`--team must be the MASH team's name, 1 to 100 characters\n${USAGE}`);
    return 2;
  }
  const password = await readPassword();
  const dataSource = await createDataSource(process.env.DATABASE_URL ?? 'postgres://mash_app@127.0.0.1:5432/mash').initialize();
  try {
    const created = await dataSource.transaction((manager) =>
      createStaffAccount(manager, new AuditTrail(), { username, roles, password, ...(team && { team: team.trim() }) }, 'staff:create'),
    );
    console.log(created ? `created ${roles.join(' and ')} ${username}${team ? ` (${team.trim()})` : ''}` : `an account named ${username} already exists; nothing changed`);
    return created ? 0 : 1;
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(2);
  },
);
