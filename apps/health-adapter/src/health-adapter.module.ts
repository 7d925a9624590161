import { Module, type DynamicModule } from '@nestjs/common';
import { AdapterKitModule, type AdapterConfig } from '#adapter-kit';
import { FhirInboxController } from './fhir-inbox.controller.js';
import { FhirController } from './fhir.controller.js';

@Module({})
export class HealthAdapterModule {
  static forRoot(config: AdapterConfig): DynamicModule {
    return {
      module: HealthAdapterModule,
      imports: [AdapterKitModule.forAgency('health', config)],
      controllers: [FhirController, FhirInboxController],
    };
  }
}
