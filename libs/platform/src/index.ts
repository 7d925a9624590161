export * from './config.js';
export * from './health.js';
export * from './http.js';
export * from './logging.js';
export * from './redis.js';
