import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { RedisUnavailableFilter, configureHttpApp, corsOrigins, createLogger, loadConfig, parseTrustProxy } from '#platform';
import { connectQueueConsumer } from '#queue-transport';
import { HubConfig } from './config.js';
import { HubModule } from './hub.module.js';
import { IntakeConsumers } from './notifications/intake-consumers.js';
import { configureStaffPages } from './web/web-setup.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig(HubConfig);
  const logger = createLogger('hub', config.LOG_LEVEL);
  const app = await NestFactory.create(HubModule.forRoot(config), { logger, bufferLogs: true });
  configureHttpApp(app, {
    title: 'MASH hub',
    description:
      "The multi-agency safeguarding hub's staff API: sign-in, the contact queue and contacts in full for screeners and managers, the audit trail for auditors (search, export, verification, checkpoints), and operations (dead letters, health). Send Authorization: Bearer <access token>.",
    version: '1',
    corsOrigins: corsOrigins(config),
    trustProxy: parseTrustProxy(config.TRUST_PROXY),
  });

  app.useGlobalFilters(new RedisUnavailableFilter(app.getHttpAdapter()));
  configureStaffPages(app);

  // The same process consumes every agency's intake queue (the server instances the health check watches).
  for (const server of app.get(IntakeConsumers).all()) connectQueueConsumer(app, server);
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  logger.log(`hub listening on ${config.HOST}:${config.PORT}`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  // Start-up refusals (bad configuration, an evicting Redis) must say why, then stop.
  console.error(JSON.stringify({ level: 'fatal', context: 'Bootstrap', message: (error as Error).message }));
  process.exit(1);
});
