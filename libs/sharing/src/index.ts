export * from './consent.js';
export * from './content.js';
export * from './decision.js';
export * from './policy.js';
export * from './purposes.js';
export * from './policy-table.js';
