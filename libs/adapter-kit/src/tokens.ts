export const ADAPTER_REDIS = Symbol('ADAPTER_REDIS');
export const ADAPTER_AGENCY = Symbol('ADAPTER_AGENCY');
export const HUB_INTAKE_CLIENT = Symbol('HUB_INTAKE_CLIENT');
export const INBOX_PUSH_CLIENT = Symbol('INBOX_PUSH_CLIENT');
export const INBOX_PUSH_SERVER = Symbol('INBOX_PUSH_SERVER');
