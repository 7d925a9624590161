import { Module } from '@nestjs/common';
import { AuditorController } from './auditor.controller.js';
import { AuditorQueries } from './auditor-queries.js';

/** The auditor's API: searching, exporting and a child's access history. */
@Module({ controllers: [AuditorController], providers: [AuditorQueries], exports: [AuditorQueries] })
export class AuditorApiModule {}
