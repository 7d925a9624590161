import { describeRoutePolicies } from '../../../libs/adapter-kit/src/testing/route-policies.js';
import { ProbationAdapterConfig } from './config.js';
import { ProbationAdapterModule } from './probation-adapter.module.js';

describeRoutePolicies('probation', (config) => ProbationAdapterModule.forRoot(config), new ProbationAdapterConfig(), ['POST /notifications']);
