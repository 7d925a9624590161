import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';

/** The health adapter README's example referral: a FHIR R4 transaction Bundle about fictitious people. */
const EXAMPLE = resolve(import.meta.dirname, '../../apps/health-adapter/examples/safeguarding-referral.bundle.json');

/** The README example with a fresh Communication identifier value, so each test's referral is new. */
export function healthReferral(): Bundle {
  const bundle = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Bundle;
  communicationOf(bundle).identifier![0].value = `SGR-TEST-${randomUUID().slice(0, 13)}`;
  return bundle;
}

export function resourceOf<T extends Resource>(bundle: Bundle, type: T['resourceType']): T {
  const found = bundle.entry?.find((entry) => entry.resource?.resourceType === type)?.resource;
  if (!found) throw new Error(`no ${type} in the Bundle`);
  return found as T;
}

export function communicationOf(bundle: Bundle) {
  return resourceOf<import('@medplum/fhirtypes').Communication>(bundle, 'Communication');
}

/** The reference the adapter keys the referral by: the Communication identifier, as `<system>|<value>`. */
export function referenceOf(bundle: Bundle): string {
  const [identifier] = communicationOf(bundle).identifier!;
  return `${identifier.system}|${identifier.value}`;
}

/**
 * The same referral as one Communication with the other resources contained
 * (as POST /fhir/Communication takes it): each gets a local id, and references
 * by fullUrl become #id.
 */
export function containedReferral(bundle: Bundle): import('@medplum/fhirtypes').Communication {
  const ids = new Map<string, string>();
  const others = bundle.entry!.filter((entry) => entry.resource?.resourceType !== 'Communication');
  others.forEach((entry, index) => ids.set(entry.fullUrl!, `r${index + 1}`));
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [key, key === 'reference' && ids.has(inner as string) ? `#${ids.get(inner as string)}` : rewrite(inner)]),
      );
    }
    return value;
  };
  const communication = rewrite(communicationOf(bundle)) as import('@medplum/fhirtypes').Communication;
  communication.contained = others.map((entry) => ({ ...(rewrite(entry.resource) as Resource), id: ids.get(entry.fullUrl!) }));
  return communication;
}
