import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from './1763884800001-audit-append-only.js';

/**
 * Information requests: a question to one partner organisation about a contact's child, the share
 * that carried it, when it is due, and its answer or withdrawal. Updated in place as it is answered,
 * withdrawn or escalated; never deleted.
 */
export class InformationRequests1763884800085 implements MigrationInterface {
  name = 'InformationRequests1763884800085';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "information_request" ("id" uuid NOT NULL, "contact_id" uuid NOT NULL, "child_id" uuid NOT NULL, "share_id" uuid NOT NULL, "recipient_agency" character varying(20) NOT NULL, "recipient_organisation" character varying(20) NOT NULL, "question" text NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(20) NOT NULL, "requested_by_id" character varying(500) NOT NULL, "requested_by_name" character varying(200) NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL, "correlation_id" uuid NOT NULL, "answered_at" TIMESTAMP WITH TIME ZONE, "answer" text, "answer_id" uuid, "answered_by_credential_id" uuid, "answered_by_system" character varying(100), "withdrawn_by_id" character varying(500), "withdrawn_by_name" character varying(200), "withdrawn_at" TIMESTAMP WITH TIME ZONE, "withdraw_reason" text, "escalated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_information_request_status" CHECK (status IN ('sent', 'refused', 'answered', 'withdrawn') AND (status <> 'answered' OR (answered_at IS NOT NULL AND answer IS NOT NULL AND answer_id IS NOT NULL)) AND (status <> 'withdrawn' OR withdrawn_at IS NOT NULL)), CONSTRAINT "pk_information_request" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_information_request_contact" ON "information_request"  ("contact_id", "requested_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_information_request_share" ON "information_request"  ("share_id") `);
    await queryRunner.query(`CREATE INDEX "ix_information_request_due" ON "information_request"  ("due_at") WHERE status = 'sent' AND escalated_at IS NULL`);
    await queryRunner.query(`ALTER TABLE "information_request" ADD CONSTRAINT "fk_information_request_contact" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "information_request" ADD CONSTRAINT "fk_information_request_child" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "information_request" ADD CONSTRAINT "fk_information_request_share" FOREIGN KEY ("share_id") REFERENCES "share"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE ON "information_request" TO ${APPLICATION_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "information_request"`);
  }
}
