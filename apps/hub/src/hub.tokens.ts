/** A plain Redis connection for the hub's health check. */
export const HUB_REDIS = Symbol('HUB_REDIS');
