import {
  ForbiddenException,
  HttpException,
  Injectable,
  UnauthorizedException,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AccessRefusals } from './access-refusals.js';
import { ACCESS_POLICY, type AccessPolicy } from './access-policy.js';
import { staffActor } from './staff-actor.js';
import { StaffTokens, TokenRefusedError } from './staff-tokens.js';
import type { StaffMember } from './staff.js';

type StaffRequest = Request & { staff?: StaffMember };

/**
 * Applies each route's declared policy; a route that declares none is
 * refused. Every refusal is counted for the audit trail before it is sent.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly refusals: AccessRefusals,
    private readonly tokens: StaffTokens,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // queue handlers are reached only through Redis, by adapters
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [context.getHandler(), context.getClass()]);
    const request = context.switchToHttp().getRequest<StaffRequest>();
    if (!policy) return this.refuse(request, null, new ForbiddenException('This route has no access policy, so no one may call it'));
    if (policy.public) return true;

    const header = request.header('authorization');
    if (!header) return this.refuse(request, null, new UnauthorizedException('Sign in first, then send Authorization: Bearer <access token>'));
    const bearer = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!bearer) return this.refuse(request, null, new UnauthorizedException('The Authorization header must be Bearer <access token>'));
    let staff: StaffMember;
    try {
      staff = await this.tokens.verify(bearer[1]);
    } catch (error) {
      if (error instanceof TokenRefusedError) {
        return this.refuse(request, null, new UnauthorizedException(`The access token is refused: ${error.message}`), 'token.refused', error.reason);
      }
      throw error;
    }
    if (!staff.roles.some((role) => policy.roles.includes(role))) {
      return this.refuse(request, staff, new ForbiddenException(`This needs one of the roles: ${policy.roles.join(', ')}`));
    }
    request.staff = staff;
    return true;
  }

  private async refuse(
    request: Request,
    staff: StaffMember | null,
    refusal: HttpException,
    action: 'access.denied' | 'token.refused' = 'access.denied',
    reason = refusal.message,
  ): Promise<never> {
    // Counted, not appended: the audit event (one per source, reason, route and window) is
    // written by AccessRefusals' flush, so a flood of refusals never queues on the chain head.
    await this.refusals.count({
      actor: staff ? staffActor(staff) : { type: 'person', id: 'anonymous' },
      action,
      reason,
      details: {
        // Without a member of staff, the source is the caller's address (behind a proxy, as TRUST_PROXY allows).
        ...(!staff && { address: request.ip ?? null }),
        method: request.method,
        route: (request.route as { path?: string } | undefined)?.path ?? null,
        status: refusal.getStatus(),
      },
    });
    throw refusal;
  }
}

/** The member of staff the access guard admitted. */
export const CurrentStaff = createParamDecorator((_: unknown, context: ExecutionContext): StaffMember => {
  const staff = context.switchToHttp().getRequest<StaffRequest>().staff;
  if (!staff) throw new Error('CurrentStaff used on a route without a staff policy');
  return staff;
});
