import { AdapterConfig } from '#adapter-kit';
import { AGENCY_REGISTRY } from '#contracts';

export class ProbationAdapterConfig extends AdapterConfig {
  override PORT: number = AGENCY_REGISTRY.probation.adapter.port;
}
