import { AdapterConfig } from '#adapter-kit';
import { AGENCY_REGISTRY } from '#contracts';

export class HousingAdapterConfig extends AdapterConfig {
  override PORT: number = AGENCY_REGISTRY.housing.adapter.port;
}
