// Decorated classes below record their types only if reflect-metadata is loaded first.
import 'reflect-metadata';
export * from './adapter-config.js';
export * from './adapter-kit.module.js';
export * from './inbox-endpoints.js';
export * from './inbox-push.js';
export * from './inbox.js';
export * from './inbox-delivery.js';
export * from './information-requests.js';
export * from './notification-id.js';
export * from './partner-access.js';
export * from './partner-address.js';
export * from './partner-consent.js';
export * from './partner-credentials.js';
export * from './partner-submissions.js';
export * from './receipt-book.js';
export * from './run-adapter.js';
export * from './submission-route.js';
export * from './tokens.js';
