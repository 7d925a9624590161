import type { INestApplication, INestMicroservice } from '@nestjs/common';
import type { NestMicroservice } from '@nestjs/microservices';
import type { QueueServerOptions } from './options.js';
import { QueueErrorFilter } from './queue-error.filter.js';
import { QueueServer } from './queue-server.js';

/**
 * Adds a queue consumer to an HTTP app (a hybrid app), with QueueErrorFilter
 * so handlers' original errors reach the transport. Start it with
 * `app.startAllMicroservices()`; `app.close()` stops it gracefully.
 *
 * Nest binds a handler to its exception filters when it registers the
 * handler, which `connectMicroservice` does at once unless initialization is
 * deferred; a filter added afterwards is ignored with only a warning. So the
 * consumer is connected deferred, with its own config: a filter added to an
 * inherited (shared) config would also become an HTTP-wide filter, ahead of
 * the app's own. The consumer therefore does not inherit the HTTP app's
 * global pipes, guards, interceptors or filters; queue handlers validate
 * their payloads themselves (or use `@UsePipes`).
 */
export function connectQueueConsumer(app: INestApplication, options: QueueServerOptions | QueueServer): QueueServer {
  // An existing server (e.g. a provider the health check also injects) or options for a new one.
  const server = options instanceof QueueServer ? options : new QueueServer(options);
  const microservice = app.connectMicroservice({ strategy: server }, { inheritAppConfig: false, deferInitialization: true });
  microservice.useGlobalFilters(new QueueErrorFilter());
  // A deferred microservice would run the app's lifecycle hooks a second time when it starts; the app runs them itself.
  if (hasInitHookFlag(microservice)) microservice.setIsInitHookCalled(true);
  return server;
}

function hasInitHookFlag(microservice: INestMicroservice): microservice is NestMicroservice {
  return typeof (microservice as Partial<NestMicroservice>).setIsInitHookCalled === 'function';
}
