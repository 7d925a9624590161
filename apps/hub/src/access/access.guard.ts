import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ACCESS_POLICY, type AccessPolicy } from './access-policy.js';
import { identifyStaff } from './staff-identity.js';
import type { StaffMember } from './staff.js';

type StaffRequest = Request & { staff?: StaffMember };

/** Applies each route's declared policy; a route that declares none is refused. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true; // queue handlers are reached only through Redis, by adapters
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [context.getHandler(), context.getClass()]);
    if (!policy) throw new ForbiddenException('This route has no access policy, so no one may call it');
    if (policy.public) return true;

    const request = context.switchToHttp().getRequest<StaffRequest>();
    const staff = identifyStaff(request);
    if (!staff) throw new UnauthorizedException('Say who you are: X-Staff-Id and X-Staff-Role');
    if ('problem' in staff) throw new UnauthorizedException(staff.problem);
    if (!policy.roles.includes(staff.role)) {
      throw new ForbiddenException(`This needs one of the roles: ${policy.roles.join(', ')}`);
    }
    request.staff = staff;
    return true;
  }
}

/** The member of staff the access guard admitted. */
export const CurrentStaff = createParamDecorator((_: unknown, context: ExecutionContext): StaffMember => {
  const staff = context.switchToHttp().getRequest<StaffRequest>().staff;
  if (!staff) throw new Error('CurrentStaff used on a route without a staff policy');
  return staff;
});
