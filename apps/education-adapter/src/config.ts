import { AGENCY_REGISTRY } from '#contracts';
import { AdapterConfig } from '#adapter-kit';

export class EducationAdapterConfig extends AdapterConfig {
  override PORT: number = AGENCY_REGISTRY.education.adapter.port;
}
