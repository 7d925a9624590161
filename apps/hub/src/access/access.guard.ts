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
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import type { DataSource } from 'typeorm';
import { AuditTrail } from '../audit/audit-trail.js';
import { ACCESS_POLICY, type AccessPolicy } from './access-policy.js';
import { identifyStaff } from './staff-identity.js';
import type { StaffMember } from './staff.js';

type StaffRequest = Request & { staff?: StaffMember };

/**
 * Applies each route's declared policy; a route that declares none is
 * refused. Every refusal is recorded in the audit trail before it is sent.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // queue handlers are reached only through Redis, by adapters
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [context.getHandler(), context.getClass()]);
    const request = context.switchToHttp().getRequest<StaffRequest>();
    if (!policy) return this.refuse(request, null, new ForbiddenException('This route has no access policy, so no one may call it'));
    if (policy.public) return true;

    const staff = identifyStaff(request);
    if (!staff) return this.refuse(request, null, new UnauthorizedException('Say who you are: X-Staff-Id and X-Staff-Role'));
    if ('problem' in staff) return this.refuse(request, null, new UnauthorizedException(staff.problem));
    if (!policy.roles.includes(staff.role)) {
      return this.refuse(request, staff, new ForbiddenException(`This needs one of the roles: ${policy.roles.join(', ')}`));
    }
    request.staff = staff;
    return true;
  }

  private async refuse(request: Request, staff: StaffMember | null, refusal: HttpException): Promise<never> {
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        actor: staff ? { type: 'person', id: staff.id, onBehalfOf: staff.role } : { type: 'person', id: 'anonymous' },
        action: 'access.denied',
        purpose: 'access control',
        details: {
          method: request.method,
          route: (request.route as { path?: string } | undefined)?.path ?? null,
          path: request.path,
          status: refusal.getStatus(),
          reason: refusal.message,
        },
      }),
    );
    throw refusal;
  }
}

/** The member of staff the access guard admitted. */
export const CurrentStaff = createParamDecorator((_: unknown, context: ExecutionContext): StaffMember => {
  const staff = context.switchToHttp().getRequest<StaffRequest>().staff;
  if (!staff) throw new Error('CurrentStaff used on a route without a staff policy');
  return staff;
});
