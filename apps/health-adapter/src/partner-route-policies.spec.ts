import { describeRoutePolicies } from '../../../libs/adapter-kit/src/testing/route-policies.js';
import { HealthAdapterConfig } from './config.js';
import { HealthAdapterModule } from './health-adapter.module.js';

// The CapabilityStatement is public, as FHIR clients read it before they authenticate.
describeRoutePolicies('health', (config) => HealthAdapterModule.forRoot(config), new HealthAdapterConfig(), [
  'POST /fhir',
  'POST /fhir/Communication',
  'GET /fhir/Communication',
  'GET /fhir/Task',
  'PUT /fhir/Task/:id',
  'POST /fhir/Task/:id/$acknowledge',
  'POST /fhir/Task/:id/%24acknowledge',
  'POST /fhir/Communication/:id/$acknowledge',
  'POST /fhir/Communication/:id/%24acknowledge',
], ['GET /fhir/metadata']);
