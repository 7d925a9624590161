import { createHmac, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AGENCIES, organisationCodeProblem, type Agency } from '#contracts';

/*
 * An organisation's push endpoint: an HTTPS URL its systems listen on, to
 * which the adapter posts each new inbox message, signed with a secret that
 * only the MASH and the organisation hold.
 *
 * Kept in the adapters' Redis (AOF on, noeviction) as a hash under
 * `<QUEUE_PREFIX>:inbox-endpoint:<agency>:<organisation>`: url, secret,
 * createdAt. Only the operators' command writes it; the adapter's Redis user
 * may only read it. Unlike a partner credential's secret, the signing secret
 * itself is stored: computing an HMAC needs the key, so a hash of it would
 * be useless. Anyone who can read that key can sign as the MASH, which is why
 * only the adapter (read only) and the operators may.
 */

export const INBOX_SIGNATURE_HEADER = 'X-MASH-Signature';
export const INBOX_TIMESTAMP_HEADER = 'X-MASH-Timestamp';
export const INBOX_MESSAGE_ID_HEADER = 'X-MASH-Message-Id';
const SECRET_BYTES = 32;
const URL_MAX_LENGTH = 2000;

export interface InboxEndpoint {
  agency: Agency;
  organisation: string;
  url: string;
  /** The signing secret, base64url: 32 random bytes. */
  secret: string;
  createdAt: string;
}

export class InvalidInboxEndpointError extends Error {}

/**
 * `sha256=<hex>`: the HMAC-SHA256, keyed with the organisation's secret (its base64url text, as
 * printed), of `<timestamp>.<raw body>`. The timestamp (Unix seconds) is signed so a receiver can
 * refuse an old message replayed to it.
 */
export function signInboxPush(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Why `url` may not be an endpoint; null when it may. Only https unless `allowHttp` (tests, local trials). */
export function inboxEndpointUrlProblem(url: string, allowHttp: boolean): string | null {
  if (url.length > URL_MAX_LENGTH) return `the URL must be at most ${URL_MAX_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not a URL`;
  }
  if (parsed.protocol !== 'https:' && !(allowHttp && parsed.protocol === 'http:')) {
    return `the URL must start with https:// (messages are personal data), not ${parsed.protocol}//${allowHttp ? '' : '; http:// is allowed only with INBOX_PUSH_ALLOW_HTTP=true, for tests and local trials'}`;
  }
  if (parsed.username || parsed.password) return 'the URL must not carry credentials (user:password@); the signature proves the sender';
  if (!parsed.hostname) return 'the URL must name a host';
  if (parsed.hash) return 'the URL must not have a #fragment';
  return null;
}

/** Registers, reads and removes organisations' push endpoints. The command, the adapters and the tests use this. */
export class InboxEndpointStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(agency: Agency, organisation: string): string {
    return `${this.prefix}:inbox-endpoint:${agency}:${organisation}`;
  }

  /** Registers (or replaces, with a new secret) the organisation's endpoint; the secret is returned for showing once. */
  async set(request: { agency: Agency; organisation: string; url: string; allowHttp: boolean; now?: Date }): Promise<InboxEndpoint> {
    const { agency, organisation, url, allowHttp, now = new Date() } = request;
    this.checkOrganisation(agency, organisation);
    const problem = inboxEndpointUrlProblem(url, allowHttp);
    if (problem) throw new InvalidInboxEndpointError(problem);
    const endpoint: InboxEndpoint = { agency, organisation, url: new URL(url).href, secret: randomBytes(SECRET_BYTES).toString('base64url'), createdAt: now.toISOString() };
    // One command, so no one ever reads a new URL with the old secret.
    await this.redis.hset(this.key(agency, organisation), { url: endpoint.url, secret: endpoint.secret, createdAt: endpoint.createdAt });
    return endpoint;
  }

  async get(agency: Agency, organisation: string): Promise<InboxEndpoint | null> {
    this.checkOrganisation(agency, organisation);
    const fields = await this.redis.hgetall(this.key(agency, organisation));
    if (!fields.url || !fields.secret) return null;
    return { agency, organisation, url: fields.url, secret: fields.secret, createdAt: fields.createdAt };
  }

  /** True when there was one. Pushes still queued then find none and are not made. */
  async remove(agency: Agency, organisation: string): Promise<boolean> {
    this.checkOrganisation(agency, organisation);
    return (await this.redis.del(this.key(agency, organisation))) === 1;
  }

  private checkOrganisation(agency: Agency, organisation: string): void {
    if (!AGENCIES.includes(agency)) throw new InvalidInboxEndpointError(`unknown agency ${JSON.stringify(agency)}: one of ${AGENCIES.join(', ')}`);
    const problem = organisationCodeProblem(agency, organisation);
    if (problem) throw new InvalidInboxEndpointError(problem);
  }
}
