// Decorated classes below record their types only if reflect-metadata is loaded first.
import 'reflect-metadata';
export * from './agencies.js';
export * from './agency-registry.js';
export * from './codes.js';
export * from './dates.js';
export * from './details/index.js';
export * from './field-errors.js';
export * from './identifiers.js';
export * from './inbox.js';
export * from './nhs-number.js';
export * from './organisations.js';
export * from './partner-access.js';
export * from './person-name.js';
export * from './queues.js';
export * from './required-only-when.js';
export * from './safeguarding-notification.js';
export * from './uuids.js';
export * from './examples.js';
