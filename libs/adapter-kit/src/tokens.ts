export const ADAPTER_REDIS = Symbol('ADAPTER_REDIS');
export const ADAPTER_AGENCY = Symbol('ADAPTER_AGENCY');
export const HUB_INTAKE_CLIENT = Symbol('HUB_INTAKE_CLIENT');
