import 'reflect-metadata';
import { exitOnStartupFailure, runAdapter } from '#adapter-kit';
import { loadConfig } from '#platform';
import { EducationAdapterConfig } from './config.js';
import { EducationAdapterModule } from './education-adapter.module.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig(EducationAdapterConfig);
  await runAdapter('education-adapter', EducationAdapterModule.forRoot(config), config, {
    title: 'MASH education adapter',
    description:
      "Where a school's designated safeguarding lead, or the virtual school for children in care, sends safeguarding concerns to the MASH. A 202 means the concern is safe with the hub; the same concern reference sent again is recognised as a duplicate.",
    version: '1',
  });
}

bootstrap().catch(exitOnStartupFailure);
