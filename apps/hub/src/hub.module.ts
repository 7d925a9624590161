import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { RateLimiter, RedisHealthIndicator, connectRedis } from '#platform';
import { DeadLetterStore } from '#queue-transport';
import { AccessGuard } from './access/access.guard.js';
import { AccessRefusals } from './access/access-refusals.js';
import { AuthController } from './access/auth.controller.js';
import { DevelopmentAccounts } from './access/development-accounts.js';
import { SignIn } from './access/sign-in.js';
import { StaffTokens } from './access/staff-tokens.js';
import { AuditTrailModule } from './audit/audit-trail.module.js';
import { AuditVerification } from './audit/audit-verification.js';
import { AuditVerificationController } from './audit/audit-verification.controller.js';
import { AuditVerifier } from './audit/audit-verifier.js';
import { Checkpoints } from './audit/checkpoints.js';
import { AuditorApiModule } from './audit/auditor/auditor-api.module.js';
import { ChildRegister } from './children/child-register.js';
import { IdentityController } from './children/identity.controller.js';
import { IdentityDesk } from './children/identity-desk.js';
import { HubConfig } from './config.js';
import { ContactBook } from './contacts/contact-book.js';
import { ContactQueries } from './contacts/contact-queries.js';
import { ContactsController } from './contacts/contacts.controller.js';
import { classifyDatabaseError, probeDatabase } from './database/database-availability.js';
import { dataSourceOptions } from './database/data-source.js';
import { HealthController } from './health/health.controller.js';
import { HUB_REDIS, SHARING_POLICY } from './hub.tokens.js';
import { ShareDesk } from './sharing/share-desk.js';
import { CaseConsentBook } from './sharing/case-consent.js';
import { ContactSharing } from './sharing/contact-sharing.js';
import { SharingController } from './sharing/sharing.controller.js';
import { ContactLifecycle } from './screening/contact-lifecycle.js';
import { ScreeningController } from './screening/screening.controller.js';
import { ScreeningDesk } from './screening/screening-desk.js';
import { DeadlineWatcher } from './screening/deadline-watcher.js';
import { AllocationRegister } from './screening/allocations.js';
import { AllocationsController } from './screening/allocations.controller.js';
import { Timeliness } from './screening/timeliness.js';
import { TimelinessController } from './screening/timeliness.controller.js';
import { EncompassDispatcher } from './sharing/encompass-dispatcher.js';
import { AlertDesk } from './alerts/alert-desk.js';
import { AlertsController } from './alerts/alerts.controller.js';
import { loadSharingPolicy } from '#sharing';
import { parseSchoolHolidays, SchoolCalendar } from '#calendar';
import { InboxActivityHandler } from './notifications/inbox-activity.handler.js';
import { InformationAnswerHandler } from './information-requests/information-answer.handler.js';
import { InformationDeadlines } from './information-requests/information-deadlines.js';
import { InformationRequests } from './information-requests/information-requests.js';
import { InformationRequestsController } from './information-requests/information-requests.controller.js';
import { IntakeConsumers } from './notifications/intake-consumers.js';
import { IntakeOrigin } from './notifications/intake-origin.js';
import { NotificationIntake } from './notifications/notification-intake.js';
import { IntakeBatches } from './notifications/intake-batches.js';
import { NotificationIntakeHandler } from './notifications/notification-intake.handler.js';
import { PartnerAccessRefusedHandler } from './notifications/partner-access-refused.handler.js';
import { DeadLetterDesk, OBSERVED_QUEUES } from './operations/dead-letter-desk.js';
import { DeadLettersController } from './operations/dead-letters.controller.js';
import { OutboxController } from './operations/outbox.controller.js';
import { Outbox } from './outbox/outbox.js';
import { OutboxRelay } from './outbox/outbox-relay.js';
import { ParkedOutbox } from './outbox/parked-outbox.js';
import { WebModule } from './web/web.module.js';

@Module({})
export class HubModule implements OnApplicationShutdown {
  constructor(
    @Inject(HUB_REDIS) private readonly redis: Redis,
    @Inject(DeadLetterStore) private readonly deadLetters: DeadLetterStore,
  ) {}

  static forRoot(config: HubConfig): DynamicModule {
    const queueConnection = { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX };
    return {
      module: HubModule,
      // Global, so the staff pages (WebModule) use the same services as the API.
      global: true,
      exports: [
        HubConfig,
        HUB_REDIS,
        RateLimiter,
        AccessRefusals,
        SignIn,
        ContactQueries,
        ContactSharing,
        ScreeningDesk,
        InformationRequests,
        IdentityDesk,
        DeadLetterStore,
        DeadLetterDesk,
        AuditVerification,
        AlertDesk,
        Timeliness,
      ],
      imports: [TypeOrmModule.forRoot(dataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE)), TerminusModule, AuditTrailModule, AuditorApiModule, WebModule],
      controllers: [AuthController, AuditVerificationController, ContactsController, SharingController, ScreeningController, AllocationsController, TimelinessController, DeadLettersController, OutboxController, HealthController, NotificationIntakeHandler, PartnerAccessRefusedHandler, InboxActivityHandler, AlertsController, InformationRequestsController, InformationAnswerHandler, IdentityController],
      providers: [
        { provide: HubConfig, useValue: config },
        { provide: APP_GUARD, useClass: AccessGuard },
        AccessRefusals,
        StaffTokens,
        SignIn,
        DevelopmentAccounts,
        { provide: HUB_REDIS, useFactory: () => connectRedis(config.REDIS_URL, 'hub') },
        { provide: RateLimiter, inject: [HUB_REDIS], useFactory: (redis: Redis) => new RateLimiter(redis, `${config.QUEUE_PREFIX}:rate:hub`) },
        {
          // One consumer per agency's intake queue; main.ts connects each, the health check watches them all.
          // While Postgres cannot be reached they pause (messages keep their attempts) and resume when it answers.
          provide: IntakeConsumers,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) =>
            new IntakeConsumers(queueConnection, {
              concurrency: config.INTAKE_CONCURRENCY,
              lockDurationMs: config.QUEUE_LOCK_DURATION_MS,
              stalledIntervalMs: config.QUEUE_STALLED_INTERVAL_MS,
              classifyError: classifyDatabaseError,
              probeAvailability: () => probeDatabase(dataSource),
              availabilityProbeIntervalMs: config.DATABASE_PROBE_INTERVAL_MS,
            }),
        },
        IntakeOrigin,
        // Read and checked here, so a hub with a broken policy does not start.
        { provide: SHARING_POLICY, useFactory: () => loadSharingPolicy(config.SHARING_POLICY_FILE) },
        { provide: SchoolCalendar, useFactory: () => new SchoolCalendar({ dayStart: config.SCHOOL_DAY_START, holidays: parseSchoolHolidays(config.SCHOOL_HOLIDAYS) }) },
        ShareDesk,
        CaseConsentBook,
        ContactSharing,
        ContactLifecycle,
        ScreeningDesk,
        DeadlineWatcher,
        AllocationRegister,
        Timeliness,
        EncompassDispatcher,
        AlertDesk,
        InformationRequests,
        InformationDeadlines,
        { provide: DeadLetterStore, useFactory: () => new DeadLetterStore(queueConnection, OBSERVED_QUEUES) },
        RedisHealthIndicator,
        AuditVerifier,
        Checkpoints,
        AuditVerification,
        DeadLetterDesk,
        ChildRegister,
        IdentityDesk,
        ContactBook,
        ContactQueries,
        NotificationIntake,
        IntakeBatches,
        Outbox,
        OutboxRelay,
        ParkedOutbox,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.deadLetters.close();
    this.redis.disconnect();
  }
}
