import { Module, type DynamicModule } from '@nestjs/common';
import { AdapterKitModule, type AdapterConfig } from '#adapter-kit';
import { HousingNoticesController } from './housing-notices.controller.js';

@Module({})
export class HousingAdapterModule {
  static forRoot(config: AdapterConfig): DynamicModule {
    return {
      module: HousingAdapterModule,
      imports: [AdapterKitModule.forAgency('housing', config)],
      controllers: [HousingNoticesController],
    };
  }
}
