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

/** The reference the adapter keys the referral by: the Communication identifier's value. */
export function referenceOf(bundle: Bundle): string {
  return communicationOf(bundle).identifier![0].value!;
}
