// Decorated classes below record their types only if reflect-metadata is loaded first.
import 'reflect-metadata';
export * from './config.js';
export * from './health.js';
export * from './http.js';
export * from './logging.js';
export * from './rate-limit.js';
export * from './redis.js';
export * from './redis-unavailable.filter.js';
export * from './route-inventory.js';
export * from './service-config.js';
export * from './uuid-pipe.js';
