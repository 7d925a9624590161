export * from './deadlines.js';
export * from './lifecycle.js';
export * from './repeats.js';
