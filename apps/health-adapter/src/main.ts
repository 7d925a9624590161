import 'reflect-metadata';
import { exitOnStartupFailure, runAdapter } from '#adapter-kit';
import { loadConfig } from '#platform';
import { HealthAdapterConfig } from './config.js';
import { loadFhirDefinitions } from './fhir-definitions.js';
import { FHIR_JSON } from './fhir-systems.js';
import { HealthAdapterModule } from './health-adapter.module.js';
import { OperationOutcomeFilter } from './operation-outcome.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig(HealthAdapterConfig);
  // Once, before the first request: the R4 definitions take a second or two to index.
  loadFhirDefinitions();
  await runAdapter('health-adapter', HealthAdapterModule.forRoot(config), config, {
    title: 'MASH health adapter',
    description:
      'Where health services send safeguarding referrals to the MASH as HL7 FHIR R4 transaction Bundles (application/fhir+json). A 202 means the referral is safe with the hub; the same Communication identifier sent again is recognised as a duplicate. Every refusal is a FHIR OperationOutcome naming each problem by its FHIRPath.',
    version: '1',
    jsonMediaTypes: [FHIR_JSON],
  }, { filters: (kitHandling) => [new OperationOutcomeFilter(kitHandling)] });
}

bootstrap().catch(exitOnStartupFailure);
