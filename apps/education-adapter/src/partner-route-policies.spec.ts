import { describeRoutePolicies } from '../../../libs/adapter-kit/src/testing/route-policies.js';
import { EducationAdapterConfig } from './config.js';
import { EducationAdapterModule } from './education-adapter.module.js';

describeRoutePolicies('education', (config) => EducationAdapterModule.forRoot(config), new EducationAdapterConfig(), ['POST /notifications']);
