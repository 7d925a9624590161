import 'reflect-metadata';
import { exitOnStartupFailure, runAdapter } from '#adapter-kit';
import { loadConfig } from '#platform';
import { PoliceAdapterConfig } from './config.js';
import { PoliceAdapterModule } from './police-adapter.module.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig(PoliceAdapterConfig);
  await runAdapter('police-adapter', PoliceAdapterModule.forRoot(config), config, {
    title: 'MASH police adapter',
    description:
      "Where a police force's systems send public protection notices to the MASH. A 202 means the notice is safe with the hub; the same police reference sent again is recognised as a duplicate.",
    version: '1',
  });
}

bootstrap().catch(exitOnStartupFailure);
