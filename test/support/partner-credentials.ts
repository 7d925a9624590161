import { Redis } from 'ioredis';
import { ORGANISATION_CODE_RULES, type Agency } from '#contracts';
import { PartnerCredentialStore, type IssuedCredential } from '#adapter-kit';
import { TEST_REDIS_URL } from './environment.js';

export interface TestCredential extends IssuedCredential {
  /** Headers for a request as this partner system. */
  headers: { authorization: string };
}

/**
 * Issues a partner credential straight into Redis under a test's queue
 * prefix, with the same code as `npm run partner:credentials -- issue`.
 * The organisation defaults to the agency's example code (police force 01).
 * `now` in the past (with few `days`) gives an expired credential.
 */
export async function issueTestCredential(
  prefix: string,
  agency: Agency,
  {
    organisation = ORGANISATION_CODE_RULES[agency].example,
    system = `Test ${agency} system`,
    days = 30,
    now,
  }: { organisation?: string; system?: string; days?: number; now?: Date } = {},
): Promise<TestCredential> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  try {
    const issued = await new PartnerCredentialStore(redis, prefix).issue({ agency, organisation, system, days, now });
    return { ...issued, headers: { authorization: `Bearer ${issued.token}` } };
  } finally {
    await redis.quit();
  }
}

/** Revokes a credential, as `npm run partner:credentials -- revoke` does. */
export async function revokeTestCredential(prefix: string, id: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  try {
    await new PartnerCredentialStore(redis, prefix).revoke(id);
  } finally {
    await redis.quit();
  }
}
