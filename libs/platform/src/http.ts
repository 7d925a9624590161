import {
  BadRequestException,
  ValidationPipe,
  type ArgumentMetadata,
  type PipeTransform,
  type INestApplication,
  type ValidationError,
} from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { EDGE_VALIDATION_OPTIONS, toFieldErrors, unstorableTextErrors, type FieldError } from '#contracts';
import type { TrustProxy } from './service-config.js';

/** The body of every 400: a summary and every invalid field with its path. */
export interface ValidationProblem {
  statusCode: 400;
  error: 'Bad Request';
  message: string;
  errors: FieldError[];
}

export function validationProblem(errors: FieldError[]): ValidationProblem {
  return {
    statusCode: 400,
    error: 'Bad Request',
    message: `The request has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}`,
    errors,
  };
}

/**
 * Refuses text that cannot be stored as sent (NUL, unpaired surrogates) in a
 * body, query or route parameter, before anything else looks at it.
 */
export class StorableTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const errors = unstorableTextErrors(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
    if (errors.length) throw new BadRequestException(validationProblem(errors));
    return value;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...EDGE_VALIDATION_OPTIONS,
    transform: true,
    exceptionFactory: (errors: ValidationError[]) => new BadRequestException(validationProblem(toFieldErrors(errors))),
  });
}

export interface HttpAppOptions {
  title: string;
  description: string;
  version: string;
  /** Largest JSON body accepted; partner notices are small. */
  bodyLimit?: string;
  /** Further JSON media types the body parser reads besides application/json (e.g. application/fhir+json). */
  jsonMediaTypes?: string[];
  /** Browser origins allowed to call the API; none by default (CORS closed). */
  corsOrigins?: string[];
  /** Which proxies' X-Forwarded-For decides request.ip (and so the rate limits' client); none by default. */
  trustProxy?: TrustProxy;
}

/** What every app's HTTP side shares: validation at the edge, OpenAPI at /docs, shutdown hooks. */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions): void {
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: options.bodyLimit ?? '1mb', type: ['application/json', ...(options.jsonMediaTypes ?? [])] });
  express.disable('x-powered-by');
  // Without a trusted proxy, X-Forwarded-For is ignored: anyone could send one to pick their rate-limit bucket.
  express.set('trust proxy', options.trustProxy ?? false);
  app.use(
    helmet({
      // The API answers JSON; the only page is the OpenAPI viewer at /docs, which needs its inline script and styles.
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", "'unsafe-inline'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  // Closed unless origins are named: no browser page elsewhere may read children's records through a staff member's session.
  if (options.corsOrigins?.length) app.enableCors({ origin: options.corsOrigins, credentials: false });
  app.useGlobalPipes(new StorableTextPipe(), createValidationPipe());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(app, openApiConfig(options));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}

export function openApiConfig(options: HttpAppOptions) {
  return new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion(options.version)
    .addBearerAuth()
    .addSecurityRequirements('bearer')
    .build();
}
