import 'reflect-metadata';
import { exitOnStartupFailure, runAdapter } from '#adapter-kit';
import { AGENCY_REGISTRY } from '#contracts';
import { loadConfig } from '#platform';
import { HousingAdapterConfig } from './config.js';
import { HousingAdapterModule } from './housing-adapter.module.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig(HousingAdapterConfig);
  await runAdapter(AGENCY_REGISTRY.housing.adapter.name, HousingAdapterModule.forRoot(config), config, {
    title: 'MASH housing adapter',
    description:
      "Where a council housing service's systems send homelessness duty-to-refer, anti-social behaviour and eviction notices to the MASH. A 202 means the notice is safe with the hub; the same case reference sent again is recognised as a duplicate.",
    version: '1',
  });
}

bootstrap().catch(exitOnStartupFailure);
