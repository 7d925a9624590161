import { Global, Module } from '@nestjs/common';
import { AuditTrail } from './audit-trail.js';

/** The audit trail, available to every module of the hub. */
@Global()
@Module({ providers: [AuditTrail], exports: [AuditTrail] })
export class AuditTrailModule {}
