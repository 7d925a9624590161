import { Module, type DynamicModule } from '@nestjs/common';
import { AdapterKitModule, type AdapterConfig } from '#adapter-kit';
import { EducationConcernsController } from './education-concerns.controller.js';

@Module({})
export class EducationAdapterModule {
  static forRoot(config: AdapterConfig): DynamicModule {
    return {
      module: EducationAdapterModule,
      imports: [AdapterKitModule.forAgency('education', config)],
      controllers: [EducationConcernsController],
    };
  }
}
