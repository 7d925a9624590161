/**
 * Prints the Redis ACL users the adapters need, one `ACL SETUSER` line per
 * agency, derived from the agency registry:
 *
 *   npm run redis:acl [-- --agency police]
 *
 * Under QUEUE_PREFIX (default mash). Each line has a placeholder password:
 * replace it with a long random one, run the lines in redis-cli as an
 * administrator, then ACL SAVE (or put the users in your aclfile).
 */
import { parseArgs } from 'node:util';
import { ACL_PASSWORD_PLACEHOLDER, AGENCIES, redisAclSetUser, type Agency } from '#contracts';

function main(): number {
  const { values } = parseArgs({ options: { agency: { type: 'string' } }, strict: true });
  if (values.agency !== undefined && !AGENCIES.includes(values.agency as Agency)) {
    process.stderr.write(`unknown agency ${JSON.stringify(values.agency)}: one of ${AGENCIES.join(', ')}\n`);
    return 2;
  }
  const prefix = process.env.QUEUE_PREFIX || 'mash';
  const agencies = values.agency ? [values.agency as Agency] : AGENCIES;
  for (const agency of agencies) process.stdout.write(`${redisAclSetUser(agency, prefix, ACL_PASSWORD_PLACEHOLDER)}\n`);
  return 0;
}

process.exitCode = main();
