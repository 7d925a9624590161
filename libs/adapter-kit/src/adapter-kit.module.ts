import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { agencyQueue, hubIntakeQueue, inboxPushQueue, type Agency } from '#contracts';
import { RateLimiter, RedisHealthIndicator, connectRedis } from '#platform';
import { QueueClient, QueueServer } from '#queue-transport';
import { AcceptanceHandler } from './acceptance.handler.js';
import { ShareHandler } from './share.handler.js';
import { AdapterConfig } from './adapter-config.js';
import { AdapterHealthController } from './adapter-health.controller.js';
import { InboxActivityReports } from './inbox-activity.js';
import { InboxDelivery } from './inbox-delivery.js';
import { InboxEndpointStore } from './inbox-endpoints.js';
import { InboxPushHandler, InboxPushes } from './inbox-push.js';
import { InboxController } from './inbox.controller.js';
import { InformationRequestWithdrawnHandler, InformationRequestsController } from './information-requests.controller.js';
import { InformationAnswers, ReceivedRequests } from './information-requests.js';
import { PartnerInbox } from './inbox.js';
import { PartnerAccessGuard, PartnerAccessRefusals } from './partner-access.js';
import { PartnerCredentialStore } from './partner-credentials.js';
import { PartnerSubmissions } from './partner-submissions.js';
import { ReceiptBook } from './receipt-book.js';
import { ReceiptsController } from './receipts.controller.js';
import { ADAPTER_AGENCY, ADAPTER_REDIS, HUB_INTAKE_CLIENT, INBOX_PUSH_CLIENT, INBOX_PUSH_SERVER } from './tokens.js';

/**
 * Everything an agency's adapter shares: durable, de-duplicated submission to
 * the hub, receipts partners can query, each organisation's inbox of what the
 * hub sends back (and its push to organisations' endpoints), the consumer of the hub's deliveries,
 * health, and the guard that admits only this agency's partner systems (every
 * route declares @PartnerRoute() or @Public()). An adapter adds only its
 * partner's format and the mapping.
 */
@Module({})
export class AdapterKitModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(HUB_INTAKE_CLIENT) private readonly hub: QueueClient,
    @Inject(ADAPTER_REDIS) private readonly redis: Redis,
    @Inject(INBOX_PUSH_CLIENT) private readonly pushQueue: QueueClient,
  ) {}

  static forAgency(agency: Agency, config: AdapterConfig): DynamicModule {
    const connection = { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX };
    return {
      module: AdapterKitModule,
      imports: [TerminusModule],
      controllers: [ReceiptsController, InboxController, AdapterHealthController, AcceptanceHandler, ShareHandler, InboxPushHandler, InformationRequestsController, InformationRequestWithdrawnHandler],
      providers: [
        { provide: ADAPTER_AGENCY, useValue: agency },
        { provide: AdapterConfig, useValue: config },
        {
          provide: ADAPTER_REDIS,
          useFactory: () => connectRedis(config.REDIS_URL, `${agency}-adapter`, { commandTimeoutMs: config.QUEUE_PUBLISH_TIMEOUT_MS }),
        },
        {
          provide: ReceiptBook,
          inject: [ADAPTER_REDIS],
          useFactory: (redis: Redis) =>
            new ReceiptBook(redis, config.QUEUE_PREFIX, agency, config.RECEIPT_RETENTION_DAYS * 86_400),
        },
        {
          provide: PartnerInbox,
          inject: [ADAPTER_REDIS],
          useFactory: (redis: Redis) => new PartnerInbox(redis, config.QUEUE_PREFIX, agency, config.INBOX_RETENTION_DAYS * 86_400),
        },
        {
          provide: InboxActivityReports,
          inject: [HUB_INTAKE_CLIENT],
          useFactory: (hub: QueueClient) => new InboxActivityReports(agency, hub),
        },
        {
          provide: InboxDelivery,
          inject: [PartnerInbox, InboxActivityReports],
          useFactory: (inbox: PartnerInbox, activity: InboxActivityReports) => new InboxDelivery(inbox, activity),
        },
        {
          provide: ReceivedRequests,
          inject: [ADAPTER_REDIS],
          useFactory: (redis: Redis) => new ReceivedRequests(redis, config.QUEUE_PREFIX, agency, config.INBOX_RETENTION_DAYS * 86_400),
        },
        {
          provide: InformationAnswers,
          inject: [ReceivedRequests, InboxDelivery, HUB_INTAKE_CLIENT],
          useFactory: (requests: ReceivedRequests, delivery: InboxDelivery, hub: QueueClient) => new InformationAnswers(agency, requests, delivery, hub),
        },
        {
          provide: InboxEndpointStore,
          inject: [ADAPTER_REDIS],
          useFactory: (redis: Redis) => new InboxEndpointStore(redis, config.QUEUE_PREFIX),
        },
        {
          provide: INBOX_PUSH_CLIENT,
          useFactory: () =>
            new QueueClient({
              ...connection,
              // The agency's own push queue, in its key space.
              queue: inboxPushQueue(agency),
              attempts: config.INBOX_PUSH_ATTEMPTS,
              backoffDelayMs: config.INBOX_PUSH_BACKOFF_MS,
              maxBackoffDelayMs: config.INBOX_PUSH_MAX_BACKOFF_MS,
              publishTimeoutMs: config.QUEUE_PUBLISH_TIMEOUT_MS,
              keepCompletedForSeconds: config.QUEUE_KEEP_COMPLETED_SECONDS,
              keepFailedForSeconds: config.DEAD_LETTER_RETENTION_DAYS * 86_400,
            }),
        },
        {
          provide: InboxPushes,
          inject: [PartnerInbox, InboxEndpointStore, INBOX_PUSH_CLIENT],
          useFactory: (inbox: PartnerInbox, endpoints: InboxEndpointStore, queue: QueueClient) => new InboxPushes(agency, inbox, endpoints, queue),
        },
        {
          provide: INBOX_PUSH_SERVER,
          useFactory: () =>
            new QueueServer({
              ...connection,
              queue: inboxPushQueue(agency),
              maxBackoffDelayMs: config.INBOX_PUSH_MAX_BACKOFF_MS,
              lockDurationMs: config.QUEUE_LOCK_DURATION_MS,
              stalledIntervalMs: config.QUEUE_STALLED_INTERVAL_MS,
            }),
        },
        {
          provide: HUB_INTAKE_CLIENT,
          useFactory: () =>
            new QueueClient({
              ...connection,
              // This agency's own intake queue: in production the adapter's Redis user may write no other.
              queue: hubIntakeQueue(agency),
              attempts: config.INTAKE_ATTEMPTS,
              backoffDelayMs: config.INTAKE_BACKOFF_MS,
              publishTimeoutMs: config.QUEUE_PUBLISH_TIMEOUT_MS,
              // Queued notifications hold personal data: kept briefly once handled (a publish that may have failed can still be looked up), dead letters long enough for operators.
              keepCompletedForSeconds: config.QUEUE_KEEP_COMPLETED_SECONDS,
              keepFailedForSeconds: config.DEAD_LETTER_RETENTION_DAYS * 86_400,
            }),
        },
        {
          provide: PartnerCredentialStore,
          inject: [ADAPTER_REDIS],
          useFactory: (redis: Redis) => new PartnerCredentialStore(redis, config.QUEUE_PREFIX),
        },
        {
          provide: PartnerAccessRefusals,
          inject: [HUB_INTAKE_CLIENT],
          useFactory: (hub: QueueClient) => new PartnerAccessRefusals(agency, hub),
        },
        // Under the agency's own key space, which its Redis ACL user may write.
        { provide: RateLimiter, inject: [ADAPTER_REDIS], useFactory: (redis: Redis) => new RateLimiter(redis, `${config.QUEUE_PREFIX}:rate:${agency}`) },
        { provide: APP_GUARD, useClass: PartnerAccessGuard },
        {
          provide: PartnerSubmissions,
          inject: [ReceiptBook, HUB_INTAKE_CLIENT],
          useFactory: (receipts: ReceiptBook, hub: QueueClient) => new PartnerSubmissions(agency, receipts, hub),
        },
        {
          provide: QueueServer,
          useFactory: () =>
            new QueueServer({
              ...connection,
              queue: agencyQueue(agency),
              lockDurationMs: config.QUEUE_LOCK_DURATION_MS,
              stalledIntervalMs: config.QUEUE_STALLED_INTERVAL_MS,
            }),
        },
        RedisHealthIndicator,
      ],
      exports: [PartnerSubmissions, ReceiptBook, InboxDelivery, ReceivedRequests, InformationAnswers, AdapterConfig, ADAPTER_AGENCY],
      global: true,
    };
  }

  /** Connects to the hub's queue at start-up, so an evicting Redis stops the adapter before it accepts anything. */
  async onApplicationBootstrap(): Promise<void> {
    await this.hub.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.hub.close();
    await this.pushQueue.close();
    this.redis.disconnect();
  }
}
