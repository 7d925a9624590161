/** A plain Redis connection for the hub: health checks and rate limits. */
export const HUB_REDIS = Symbol('HUB_REDIS');

/** The minimisation policy (SharingPolicy), read and checked at start-up. */
export const SHARING_POLICY = Symbol('SHARING_POLICY');
