import { Module } from '@nestjs/common';

/** The auditor's API: searching, exporting and a child's access history. */
@Module({})
export class AuditorApiModule {}
