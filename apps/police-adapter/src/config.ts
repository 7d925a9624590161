import { AdapterConfig } from '#adapter-kit';

export class PoliceAdapterConfig extends AdapterConfig {
  override PORT = 3101;
}
