import { Module, type DynamicModule } from '@nestjs/common';
import { AdapterKitModule, type AdapterConfig } from '#adapter-kit';
import { PoliceNoticesController } from './police-notices.controller.js';

@Module({})
export class PoliceAdapterModule {
  static forRoot(config: AdapterConfig): DynamicModule {
    return {
      module: PoliceAdapterModule,
      imports: [AdapterKitModule.forAgency('police', config)],
      controllers: [PoliceNoticesController],
    };
  }
}
