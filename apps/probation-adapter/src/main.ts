import 'reflect-metadata';
import { exitOnStartupFailure, runAdapter } from '#adapter-kit';
import { AGENCY_REGISTRY } from '#contracts';
import { loadConfig } from '#platform';
import { ProbationAdapterConfig } from './config.js';
import { ProbationAdapterModule } from './probation-adapter.module.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig(ProbationAdapterConfig);
  await runAdapter(AGENCY_REGISTRY.probation.adapter.name, ProbationAdapterModule.forRoot(config), config, {
    title: 'MASH probation adapter',
    description:
      "Where the Probation Service's case management system sends risk-to-children notices to the MASH. A 202 means the notice is safe with the hub; the same case reference and notice number sent again is recognised as a duplicate.",
    version: '1',
  });
}

bootstrap().catch(exitOnStartupFailure);
