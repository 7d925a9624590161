import 'reflect-metadata';
import type { ArgumentsHost, DynamicModule, ExceptionFilter } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedisUnavailableFilter, configureHttpApp, corsOrigins, createLogger, parseTrustProxy, type HttpAppOptions } from '#platform';
import { QueueServer, connectQueueConsumer } from '#queue-transport';
import type { AdapterConfig } from './adapter-config.js';
import { CanonicalMappingFilter } from './canonical-mapping.filter.js';
import { INBOX_PUSH_SERVER } from './tokens.js';
import { CanonicalMappingError } from './partner-submissions.js';

export interface AdapterOptions {
  /**
   * Filters for the adapter's own error format (a partner standard may define one), tried before
   * the kit's. They are given the kit's own error handling, for the errors they leave to it.
   */
  filters?: (kitHandling: ExceptionFilter) => ExceptionFilter[];
}

/** Starts an adapter: partner-facing HTTP, the consumer of the hub's deliveries to this agency and that of its inbox pushes. */
export async function runAdapter(name: string, module: DynamicModule, config: AdapterConfig, docs: HttpAppOptions, options: AdapterOptions = {}) {
  const logger = createLogger(name, config.LOG_LEVEL);
  const app = await NestFactory.create(module, { logger, bufferLogs: true });
  configureHttpApp(app, { ...docs, corsOrigins: corsOrigins(config), trustProxy: parseTrustProxy(config.TRUST_PROXY) });
  // A Redis that does not answer is a 503 the partner can retry, not a hang or a bare 500.
  const redisUnavailable = new RedisUnavailableFilter(app.getHttpAdapter());
  const canonicalMapping = new CanonicalMappingFilter();
  const kitHandling: ExceptionFilter = {
    catch: (error: unknown, host: ArgumentsHost) =>
      error instanceof CanonicalMappingError ? canonicalMapping.catch(error, host) : redisUnavailable.catch(error, host),
  };
  app.useGlobalFilters(redisUnavailable, canonicalMapping, ...(options.filters?.(kitHandling) ?? []));
  connectQueueConsumer(app, app.get(QueueServer));
  connectQueueConsumer(app, app.get<QueueServer>(INBOX_PUSH_SERVER));
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  logger.log(`${name} listening on ${config.HOST}:${config.PORT}`, 'Bootstrap');
  return app;
}

/** For main.ts: a start-up refusal says why, then the process stops. */
export function exitOnStartupFailure(error: unknown): never {
  console.error(JSON.stringify({ level: 'fatal', context: 'Bootstrap', message: (error as Error).message }));
  process.exit(1);
}
