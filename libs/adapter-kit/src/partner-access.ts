import {
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  SetMetadata,
  UnauthorizedException,
  applyDecorators,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { MessagePatterns, type Agency, type PartnerAccessRefusalReason, type PartnerAccessRefused } from '#contracts';
import { RateLimiter, type RateLimitRule } from '#platform';
import { QueueRecord, type QueueClient } from '#queue-transport';
import { AdapterConfig } from './adapter-config.js';
import { PartnerCredentialStore } from './partner-credentials.js';
import { ADAPTER_AGENCY } from './tokens.js';

/** The metadata key of every adapter route's declared policy (for the guard, and for tests that list routes). */
export const PARTNER_ACCESS_POLICY = 'mash:partner-access-policy';

export type PartnerAccessPolicy = { kind: 'partner' } | { kind: 'public' };

/** Only this adapter's agency's partner systems, with a valid credential, may call this route. */
export const PartnerRoute = () =>
  applyDecorators(
    SetMetadata(PARTNER_ACCESS_POLICY, { kind: 'partner' } satisfies PartnerAccessPolicy),
    ApiUnauthorizedResponse({ description: 'No credential, or one that is malformed, unknown, revoked or expired' }),
    ApiForbiddenResponse({ description: "A valid credential issued to another agency's system" }),
  );

/** Open to anyone (health). Every adapter route declares one of the two; one without is refused (deny by default). */
export const Public = () => SetMetadata(PARTNER_ACCESS_POLICY, { kind: 'public' } satisfies PartnerAccessPolicy);

/** The partner system the guard admitted. */
export interface PartnerSystem {
  credentialId: string;
  agency: Agency;
  /** The organisation inside the agency (force, trust, school, …) the credential was issued to. */
  organisation: string;
  system: string;
}

/** Who the presented credential says the caller is, as far as it is known. */
type Claim = { credentialId?: string | null; claimedAgency?: Agency | null; claimedOrganisation?: string | null };

type PartnerRequest = Request & { partnerSystem?: PartnerSystem };

/** The partner system behind this request; for routes declared @PartnerRoute(). */
export const CurrentPartnerSystem = createParamDecorator((_: unknown, context: ExecutionContext): PartnerSystem => {
  const system = context.switchToHttp().getRequest<PartnerRequest>().partnerSystem;
  if (!system) throw new Error('CurrentPartnerSystem used on a route without @PartnerRoute()');
  return system;
});

/** Tells the hub of each refusal, on this adapter's intake queue, for its audit trail. */
export class PartnerAccessRefusals {
  private readonly logger = new Logger(PartnerAccessRefusals.name);

  constructor(
    private readonly agency: Agency,
    private readonly hub: QueueClient,
  ) {}

  async record(
    refusal: Pick<PartnerAccessRefused, 'claimedAgency' | 'claimedOrganisation' | 'credentialId' | 'reason' | 'status' | 'method' | 'route'>,
  ): Promise<void> {
    const message: PartnerAccessRefused = {
      refusalId: randomUUID(),
      adapterAgency: this.agency,
      ...refusal,
      refusedAt: new Date().toISOString(),
    };
    this.logger.warn({ message: 'partner request refused', ...message });
    // Removed from Redis as soon as the hub has recorded it.
    await lastValueFrom(this.hub.emit(MessagePatterns.partnerAccessRefused, new QueueRecord(message, { jobId: message.refusalId, keepCompletedForSeconds: 0 })), {
      defaultValue: undefined,
    });
  }
}

/**
 * Admits to a partner route only a system holding a valid credential of this
 * adapter's agency, and refuses a route that declares no policy. Each refusal
 * is queued for the hub's audit trail before it is sent.
 */
@Injectable()
export class PartnerAccessGuard implements CanActivate {
  private readonly perSystem: RateLimitRule;
  private readonly perAddress: RateLimitRule;

  constructor(
    private readonly reflector: Reflector,
    @Inject(ADAPTER_AGENCY) private readonly agency: Agency,
    private readonly credentials: PartnerCredentialStore,
    private readonly refusals: PartnerAccessRefusals,
    private readonly limits: RateLimiter,
    @Inject(AdapterConfig) config: AdapterConfig,
  ) {
    this.perSystem = { name: 'partner', limit: config.PARTNER_RATE_LIMIT_PER_MINUTE, windowSeconds: 60 };
    this.perAddress = { name: 'partner-address', limit: config.PARTNER_RATE_LIMIT_PER_MINUTE * 10, windowSeconds: 60 };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // the deliveries consumer is reached only through Redis, from the hub
    const policy = this.reflector.getAllAndOverride<PartnerAccessPolicy | undefined>(PARTNER_ACCESS_POLICY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<PartnerRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const refuse = (reason: PartnerAccessRefusalReason, refusal: HttpException, claim: Claim = {}) =>
      this.refuse(request, response, reason, refusal, claim);

    if (!policy) return refuse('no_route_policy', new ForbiddenException('This route has no access policy, so no one may call it'));
    if (policy.kind === 'public') return true;

    // Before anything else, so a flood of bad credentials cannot flood the audit trail with refusals.
    await this.limits.consume(this.perAddress, request.ip ?? 'unknown');
    const header = request.header('authorization');
    if (!header) {
      return refuse('no_credential', new UnauthorizedException('Send Authorization: Bearer mash_<credential id>_<secret>, the credential the MASH issued to your system'));
    }
    const bearer = /^Bearer +(\S+)$/i.exec(header);
    if (!bearer) return refuse('malformed_credential', new UnauthorizedException('The Authorization header must be Bearer mash_<credential id>_<secret>'));

    const check = await this.credentials.check(bearer[1]);
    if (!check.ok) {
      switch (check.reason) {
        case 'malformed_credential':
          return refuse(check.reason, new UnauthorizedException('The credential is malformed: it must be mash_<credential id>_<secret>'));
        case 'unknown_credential':
        case 'wrong_secret':
          // The same answer for both, so a caller cannot learn which ids exist.
          return refuse(check.reason, new UnauthorizedException('The credential is refused: it is not known, or its secret is wrong'), {
            credentialId: check.credentialId,
          });
        case 'revoked':
          return refuse(check.reason, new UnauthorizedException(`The credential is refused: it was revoked at ${check.credential.revokedAt}`), {
            credentialId: check.credentialId,
            claimedAgency: check.credential.agency,
            claimedOrganisation: check.credential.organisation,
          });
        case 'expired':
          return refuse(check.reason, new UnauthorizedException(`The credential is refused: it expired at ${check.credential.expiresAt}`), {
            credentialId: check.credentialId,
            claimedAgency: check.credential.agency,
            claimedOrganisation: check.credential.organisation,
          });
      }
    }
    const { credential } = check;
    if (credential.agency !== this.agency) {
      return refuse(
        'other_agency',
        new ForbiddenException(
          `this credential belongs to ${credential.agency} (organisation ${credential.organisation}); the ${this.agency} adapter accepts only ${this.agency} systems`,
        ),
        { credentialId: credential.id, claimedAgency: credential.agency, claimedOrganisation: credential.organisation },
      );
    }
    await this.limits.consume(this.perSystem, credential.id);
    request.partnerSystem = {
      credentialId: credential.id,
      agency: credential.agency,
      organisation: credential.organisation,
      system: credential.system,
    };
    return true;
  }

  private async refuse(
    request: Request,
    response: Response,
    reason: PartnerAccessRefusalReason,
    refusal: HttpException,
    claim: Claim,
  ): Promise<never> {
    const status = refusal.getStatus() as 401 | 403;
    await this.refusals.record({
      credentialId: claim.credentialId ?? null,
      claimedAgency: claim.claimedAgency ?? null,
      claimedOrganisation: claim.claimedOrganisation ?? null,
      reason,
      status,
      method: request.method,
      route: (request.route as { path?: string } | undefined)?.path ?? request.path,
    });
    if (status === 401) {
      const error = reason === 'no_credential' ? '' : ', error="invalid_token"';
      response.setHeader('WWW-Authenticate', `Bearer realm="MASH ${this.agency} adapter"${error}`);
    }
    throw refusal;
  }
}
