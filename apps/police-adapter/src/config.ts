import { AdapterConfig } from '#adapter-kit';

export class PoliceAdapterConfig extends AdapterConfig {
  override PORT: number = 3101;
}
