/**
 * Manages partner systems' credentials from the command line:
 *
 *   npm run partner:credentials -- issue --agency police --organisation 01 --system "Exampleshire Police PPN" [--days 365]
 *   npm run partner:credentials -- list [--agency police] [--organisation 01]
 *   npm run partner:credentials -- revoke --id <credential id>
 *   npm run partner:credentials -- endpoint set --agency police --organisation 01 --url https://ppn.example.org/mash-inbox
 *   npm run partner:credentials -- endpoint show --agency police --organisation 01
 *   npm run partner:credentials -- endpoint remove --agency police --organisation 01
 *
 * `issue` prints the credential's id and its token, `mash_<id>_<secret>`,
 * once: only the secret's SHA-256 is kept. `list` never prints a secret or its
 * hash. `endpoint set` registers (or replaces) the organisation's inbox push
 * endpoint and prints its new signing secret once; `endpoint show` never
 * prints it. Connects to REDIS_URL under QUEUE_PREFIX, as the adapters do.
 * Exit code 0 done, 1 not done (unknown id, Redis unavailable), 2 bad arguments.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { AGENCIES, ORGANISATION_CODE_RULES, PARTNER_SYSTEM_NAME_PATTERN, organisationCodeProblem, type Agency } from '#contracts';
import { InboxEndpointStore, inboxEndpointUrlProblem } from './inbox-endpoints.js';
import {
  MAX_CREDENTIAL_DAYS,
  PartnerCredentialStore,
  credentialStatus,
  isUuid,
  type PartnerCredential,
} from './partner-credentials.js';

const USAGE = `usage: npm run partner:credentials -- <command> [options]
  issue  --agency <agency> --organisation <code> --system "<system name>" [--days N]
                                           issue a credential; its token is printed once
  list   [--agency <agency> [--organisation <code>]]
                                           every credential and its status (never a secret)
  revoke --id <credential id>              revoke a credential at once, for good
  endpoint set    --agency <agency> --organisation <code> --url https://…
                                           register (or replace) the organisation's inbox push endpoint;
                                           its new signing secret is printed once
  endpoint show   --agency <agency> --organisation <code>
                                           the registered endpoint (never its secret)
  endpoint remove --agency <agency> --organisation <code>
                                           stop pushing to the organisation; its inbox stays
agencies: ${AGENCIES.join(', ')}; --days: 1 to ${MAX_CREDENTIAL_DAYS} (default 365)
organisation codes:
${AGENCIES.map((agency) => `  ${agency.padEnd(9)}  ${ORGANISATION_CODE_RULES[agency].name}, e.g. ${ORGANISATION_CODE_RULES[agency].example}`).join('\n')}
Redis: REDIS_URL and QUEUE_PREFIX, as the adapters use them; INBOX_PUSH_ALLOW_HTTP=true allows http:// endpoints (tests, local trials)`;

class UsageError extends Error {}

type Command =
  | { name: 'issue'; agency: Agency; organisation: string; system: string; days: number }
  | { name: 'list'; agency?: Agency; organisation?: string }
  | { name: 'revoke'; id: string }
  | { name: 'endpoint set'; agency: Agency; organisation: string; url: string }
  | { name: 'endpoint show' | 'endpoint remove'; agency: Agency; organisation: string };

const ENDPOINT_ACTIONS = ['set', 'show', 'remove'];

/** http:// endpoints only where the operator says so, as the adapters' setting of the same name. */
function allowHttp(): boolean {
  return process.env.INBOX_PUSH_ALLOW_HTTP === 'true';
}

function parseCommand(args: string[]): Command {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  if (!first) throw new UsageError('a command is required');
  let name = first;
  let extra = rest;
  if (first === 'endpoint') {
    const [action, ...more] = rest;
    if (!action || !ENDPOINT_ACTIONS.includes(action)) throw new UsageError(`endpoint needs one of ${ENDPOINT_ACTIONS.join(', ')}${action ? `, not ${JSON.stringify(action)}` : ''}`);
    name = `endpoint ${action}`;
    extra = more;
  }
  if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const allowed: Record<string, string[]> = {
    issue: ['agency', 'organisation', 'system', 'days'],
    list: ['agency', 'organisation'],
    revoke: ['id'],
    'endpoint set': ['agency', 'organisation', 'url'],
    'endpoint show': ['agency', 'organisation'],
    'endpoint remove': ['agency', 'organisation'],
  };
  if (!allowed[name]) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  const wrong = Object.keys(values).find((option) => !allowed[name].includes(option));
  if (wrong) throw new UsageError(`${name} does not take --${wrong}`);

  const agency = (value: string | undefined, required: boolean): Agency | undefined => {
    if (value === undefined) {
      if (required) throw new UsageError('--agency is required');
      return undefined;
    }
    if (!AGENCIES.includes(value as Agency)) throw new UsageError(`--agency must be one of ${AGENCIES.join(', ')}, not ${JSON.stringify(value)}`);
    return value as Agency;
  };

  const organisation = (issuedTo: Agency | undefined, value: string | undefined, required: boolean): string | undefined => {
    if (value === undefined) {
      if (required) throw new UsageError(`--organisation is required: ${ORGANISATION_CODE_RULES[issuedTo!].name}, e.g. ${ORGANISATION_CODE_RULES[issuedTo!].example}`);
      return undefined;
    }
    if (!issuedTo) throw new UsageError('--organisation needs --agency: organisation codes are per agency');
    const problem = organisationCodeProblem(issuedTo, value);
    if (problem) throw new UsageError(`--organisation: ${problem}`);
    return value;
  };

  switch (name) {
    case 'issue': {
      const issuedTo = agency(values.agency, true)!;
      const issuedToOrganisation = organisation(issuedTo, values.organisation, true)!;
      if (values.system === undefined) throw new UsageError('--system is required: the partner system\'s name, e.g. "Exampleshire Police PPN"');
      if (!PARTNER_SYSTEM_NAME_PATTERN.test(values.system)) {
        throw new UsageError('--system must be 1 to 100 characters, without control characters or surrounding spaces');
      }
      const days = values.days ?? '365';
      if (!/^\d{1,4}$/.test(days) || Number(days) < 1 || Number(days) > MAX_CREDENTIAL_DAYS) {
        throw new UsageError(`--days must be a whole number from 1 to ${MAX_CREDENTIAL_DAYS}, not ${JSON.stringify(days)}`);
      }
      return { name, agency: issuedTo, organisation: issuedToOrganisation, system: values.system, days: Number(days) };
    }
    case 'list': {
      const listed = agency(values.agency, false);
      return { name, agency: listed, organisation: organisation(listed, values.organisation, false) };
    }
    case 'endpoint set':
    case 'endpoint show':
    case 'endpoint remove': {
      const of = agency(values.agency, true)!;
      const ofOrganisation = organisation(of, values.organisation, true)!;
      if (name !== 'endpoint set') return { name, agency: of, organisation: ofOrganisation };
      if (values.url === undefined) throw new UsageError('--url is required: the https:// address the organisation\'s system receives messages on');
      const problem = inboxEndpointUrlProblem(values.url, allowHttp());
      if (problem) throw new UsageError(`--url: ${problem}`);
      return { name, agency: of, organisation: ofOrganisation, url: values.url };
    }
    default: {
      if (values.id === undefined) throw new UsageError('--id is required');
      if (!isUuid(values.id)) throw new UsageError(`--id must be a credential id (a lower-case UUID), not ${JSON.stringify(values.id)}`);
      return { name: 'revoke', id: values.id };
    }
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      agency: { type: 'string' },
      organisation: { type: 'string' },
      system: { type: 'string' },
      days: { type: 'string' },
      id: { type: 'string' },
      url: { type: 'string' },
    },
  });
}

function describe(credential: PartnerCredential, now: Date): string {
  const status = credentialStatus(credential, now);
  const when = status === 'revoked' ? `revoked ${credential.revokedAt}` : `${status === 'expired' ? 'expired' : 'expires'} ${credential.expiresAt}`;
  return `${credential.id}  ${credential.agency.padEnd(9)}  ${credential.organisation.padEnd(9)}  ${status.padEnd(7)}  created ${credential.createdAt}  ${when}  ${JSON.stringify(credential.system)}`;
}

async function run(command: Command, store: PartnerCredentialStore, endpoints: InboxEndpointStore): Promise<number> {
  const now = new Date();
  switch (command.name) {
    case 'endpoint set': {
      const endpoint = await endpoints.set({ agency: command.agency, organisation: command.organisation, url: command.url, allowHttp: allowHttp(), now });
      console.log(`registered the inbox push endpoint of ${endpoint.agency} organisation ${endpoint.organisation}: ${endpoint.url}`);
      console.log(`secret:  ${endpoint.secret}`);
      console.log(
        'The secret is shown only now (any earlier one no longer signs). Give it to the system\'s integrators over a secure channel;\n' +
          'each push carries X-MASH-Signature: sha256=<HMAC-SHA256 with this secret of "<X-MASH-Timestamp>.<body>">',
      );
      return 0;
    }
    case 'endpoint show': {
      const endpoint = await endpoints.get(command.agency, command.organisation);
      if (!endpoint) {
        console.log(`no inbox push endpoint for ${command.agency} organisation ${command.organisation}`);
        return 0;
      }
      console.log(`${endpoint.agency}  ${endpoint.organisation}  ${endpoint.url}  registered ${endpoint.createdAt}`);
      return 0;
    }
    case 'endpoint remove': {
      if (!(await endpoints.remove(command.agency, command.organisation))) {
        console.error(`no inbox push endpoint for ${command.agency} organisation ${command.organisation}`);
        return 1;
      }
      console.log(`removed the inbox push endpoint of ${command.agency} organisation ${command.organisation}; its messages wait in the inbox for pulling`);
      return 0;
    }
    case 'issue': {
      const { credential, token } = await store.issue({
        agency: command.agency,
        organisation: command.organisation,
        system: command.system,
        days: command.days,
        now,
      });
      console.log(`issued a ${credential.agency} credential for organisation ${credential.organisation}, ${JSON.stringify(credential.system)}`);
      console.log(`id:      ${credential.id}`);
      console.log(`expires: ${credential.expiresAt}`);
      console.log(`token:   ${token}`);
      console.log(
        'The token is shown only now: the MASH keeps only its SHA-256. Give it to the system\'s integrators over a secure channel;\n' +
          'the system sends it as: Authorization: Bearer <token>',
      );
      return 0;
    }
    case 'list': {
      const credentials = await store.list(command.agency, command.organisation);
      if (!credentials.length) {
        console.log(`no credentials${command.agency ? ` for ${command.agency}` : ''}${command.organisation ? ` organisation ${command.organisation}` : ''}`);
      }
      for (const credential of credentials) console.log(describe(credential, now));
      return 0;
    }
    case 'revoke': {
      const result = await store.revoke(command.id, now);
      if (!result) {
        console.error(`no credential ${command.id}`);
        return 1;
      }
      console.log(
        result.outcome === 'revoked'
          ? `revoked ${result.credential.id} (${result.credential.agency} ${result.credential.organisation}, ${JSON.stringify(result.credential.system)}); it is refused from now on`
          : `${result.credential.id} was already revoked at ${result.credential.revokedAt}`,
      );
      return 0;
    }
  }
}

async function main(): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  // Loaded only once the arguments are good: a usage error answers at once.
  const [{ ServiceConfig, connectRedis, loadConfig }, { assertRedisKeepsQueuedMessages }] = await Promise.all([
    import('#platform'),
    import('#queue-transport'),
  ]);
  let config: InstanceType<typeof ServiceConfig>;
  try {
    config = loadConfig(ServiceConfig);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const redis = connectRedis(config.REDIS_URL, 'partner-credentials');
  try {
    // A credential in a Redis that may evict keys could vanish, locking its system out.
    if (command.name !== 'list' && command.name !== 'endpoint show') await assertRedisKeepsQueuedMessages(redis, 'REDIS_URL');
    return await run(command, new PartnerCredentialStore(redis, config.QUEUE_PREFIX), new InboxEndpointStore(redis, config.QUEUE_PREFIX));
  } finally {
    redis.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
