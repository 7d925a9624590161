/**
 * Creates the first admin account (or any admin):
 *   STAFF_PASSWORD='…' npm run staff:create-admin -- --username alice
 * or pipe the password on standard input. Connects as DATABASE_URL; the
 * creation is in the audit trail. Exit code 0 created, 1 refused, 2 usage.
 */
import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { AuditTrail } from '../audit/audit-trail.js';
import { createDataSource } from '../database/data-source.js';
import { createStaffAccount } from './staff-accounts.js';

const USAGE = 'usage: staff:create-admin --username NAME   (password in STAFF_PASSWORD or on standard input)';

async function readPassword(): Promise<string> {
  if (process.env.STAFF_PASSWORD) return process.env.STAFF_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('password: ');
  for await (const line of createInterface({ input: process.stdin })) return line;
  return '';
}

async function main(): Promise<number> {
  let username: string | undefined;
  try {
    ({ values: { username } } = parseArgs({ options: { username: { type: 'string' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!username || !/^[A-Za-z0-9._@-]{1,100}$/.test(username)) {
    console.error(`--username must be 1 to 100 letters, digits or . _ @ -\n${USAGE}`);
    return 2;
  }
  const password = await readPassword();
  const dataSource = await createDataSource(process.env.DATABASE_URL ?? 'postgres://mash_app@127.0.0.1:5432/mash').initialize();
  try {
    const created = await dataSource.transaction((manager) =>
      createStaffAccount(manager, new AuditTrail(), { username, roles: ['admin'], password }, 'staff:create-admin'),
    );
    console.log(created ? `created admin ${username}` : `an account named ${username} already exists; nothing changed`);
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
