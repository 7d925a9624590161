/** A plain Redis connection for the hub: health checks and rate limits. */
export const HUB_REDIS = Symbol('HUB_REDIS');
