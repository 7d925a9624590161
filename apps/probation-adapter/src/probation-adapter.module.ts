import { Module, type DynamicModule } from '@nestjs/common';
import { AdapterKitModule, type AdapterConfig } from '#adapter-kit';
import { ProbationNoticesController } from './probation-notices.controller.js';

@Module({})
export class ProbationAdapterModule {
  static forRoot(config: AdapterConfig): DynamicModule {
    return {
      module: ProbationAdapterModule,
      imports: [AdapterKitModule.forAgency('probation', config)],
      controllers: [ProbationNoticesController],
    };
  }
}
