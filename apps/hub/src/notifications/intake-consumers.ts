import { AGENCIES, hubIntakeQueue, type Agency } from '#contracts';
import { QueueServer, type QueueConnectionOptions, type QueueServerOptions } from '#queue-transport';

type IntakeSettings = Pick<
  QueueServerOptions,
  'concurrency' | 'lockDurationMs' | 'stalledIntervalMs' | 'classifyError' | 'probeAvailability' | 'availabilityProbeIntervalMs'
>;

/**
 * One consumer per agency's intake queue. Each adapter may write only its own
 * agency's queue (see the README on Redis ACL users), so the queue a message
 * arrives on says which adapter sent it.
 */
export class IntakeConsumers {
  private readonly servers: ReadonlyMap<Agency, QueueServer>;

  constructor(connection: QueueConnectionOptions, settings: IntakeSettings) {
    this.servers = new Map(
      AGENCIES.map((agency) => [agency, new QueueServer({ ...connection, queue: hubIntakeQueue(agency), ...settings })] as const),
    );
  }

  /** Every consumer, to connect to the app (main.ts). */
  all(): QueueServer[] {
    return [...this.servers.values()];
  }

  /** The intake queues whose consumer is paused until the database answers again. */
  waitingForDatabase(): string[] {
    return [...this.servers].filter(([, server]) => server.isWaitingForDependency()).map(([agency]) => hubIntakeQueue(agency));
  }

  /** The intake queues whose consumer is not running (paused ones included), for the health check. */
  notConsuming(): string[] {
    return [...this.servers].filter(([, server]) => !server.isConsuming()).map(([agency]) => hubIntakeQueue(agency));
  }
}
