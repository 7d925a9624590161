import { AGENCY_REGISTRY } from '#contracts';
import { AdapterConfig } from '#adapter-kit';

export class HealthAdapterConfig extends AdapterConfig {
  override PORT: number = AGENCY_REGISTRY.health.adapter.port;
}
