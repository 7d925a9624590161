import { describeRoutePolicies } from '../../../libs/adapter-kit/src/testing/route-policies.js';
import { HousingAdapterConfig } from './config.js';
import { HousingAdapterModule } from './housing-adapter.module.js';

describeRoutePolicies('housing', (config) => HousingAdapterModule.forRoot(config), new HousingAdapterConfig(), ['POST /notifications']);
