import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from './1763884800001-audit-append-only.js';

/**
 * Refused requests are counted in a plain table and written to the audit chain one event per
 * source, reason and window; and a person's actor id becomes their stable subject at their
 * issuer (an identity provider's sub may be up to 255 characters, more than the old 100; 500
 * characters stay within a btree index entry whatever the encoding).
 */
export class AccessRefusalTally1763884800020 implements MigrationInterface {
  name = 'AccessRefusalTally1763884800020';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "access_refusal_tally" ("key_hash" character(64) NOT NULL, "action" character varying(60) NOT NULL, "actor" jsonb NOT NULL, "reason" character varying(300) NOT NULL, "details" jsonb NOT NULL, "window_start" TIMESTAMP WITH TIME ZONE NOT NULL, "window_end" TIMESTAMP WITH TIME ZONE NOT NULL, "count" integer NOT NULL, "first_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_access_refusal_tally" PRIMARY KEY ("key_hash"))`);
    await queryRunner.query(`CREATE INDEX "ix_access_refusal_tally_window_end" ON "access_refusal_tally"  ("window_end") `);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "access_refusal_tally" TO ${APPLICATION_ROLE}`);
    // Widening changes no stored value, so every event's hash still verifies.
    await queryRunner.query(`ALTER TABLE "audit_event" ALTER COLUMN "actor_id" TYPE character varying(500)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_event" ALTER COLUMN "actor_id" TYPE character varying(100)`);
    await queryRunner.query(`DROP TABLE "access_refusal_tally"`);
  }
}
