import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPLICATION_ROLE } from './1763884800001-audit-append-only.js';

/**
 * Sharing: every share's decision (allowed or refused, with its reasons, basis, policy version and
 * field names), consent decisions and overrides on a contact, owning agencies' agreements, and alerts
 * for screeners and the manager. Consent records and owner agreements are append-only for the
 * application: the history is the record.
 */
export class Sharing1763884800070 implements MigrationInterface {
  name = 'Sharing1763884800070';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "share" ("id" uuid NOT NULL, "purpose" character varying(30) NOT NULL, "contact_id" uuid, "child_id" uuid, "notification_id" uuid, "child_index" smallint, "recipient_agency" character varying(20) NOT NULL, "recipient_organisation" character varying(20), "decision" character varying(10) NOT NULL, "reasons" jsonb NOT NULL, "article6" character varying(30), "article9" character varying(50), "gateways" character varying(50) array NOT NULL DEFAULT '{}', "consent" text, "policy_version" character varying(40), "fields_shared" character varying(60) array NOT NULL DEFAULT '{}', "fields_withheld" character varying(60) array NOT NULL DEFAULT '{}', "requested_by_type" character varying(20) NOT NULL, "requested_by_id" character varying(500) NOT NULL, "requested_by_name" character varying(200) NOT NULL, "justification" text, "outbox_message_id" uuid, "correlation_id" uuid NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE, "delivered_at" TIMESTAMP WITH TIME ZONE, "acknowledged_at" TIMESTAMP WITH TIME ZONE, "overdue_alerted_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_share_decision" CHECK (decision IN ('pending', 'allowed', 'refused') AND (decision <> 'allowed' OR (outbox_message_id IS NOT NULL AND article6 IS NOT NULL AND policy_version IS NOT NULL)) AND (decision = 'pending' OR decided_at IS NOT NULL)), CONSTRAINT "pk_share" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_share_awaiting_acknowledgement" ON "share"  ("due_at") WHERE decision = 'allowed' AND acknowledged_at IS NULL AND due_at IS NOT NULL AND overdue_alerted_at IS NULL`);
    await queryRunner.query(`CREATE INDEX "ix_share_outbox_message" ON "share"  ("outbox_message_id") WHERE outbox_message_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_share_pending" ON "share"  ("created_at") WHERE decision = 'pending'`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_share_encompass" ON "share"  ("notification_id", "child_index") WHERE purpose = 'operation_encompass'`);
    await queryRunner.query(`CREATE INDEX "ix_share_contact" ON "share"  ("contact_id", "decided_at") `);
    await queryRunner.query(`CREATE TABLE "alert" ("id" uuid NOT NULL, "kind" character varying(40) NOT NULL, "audience" character varying(20) NOT NULL, "contact_id" uuid, "share_id" uuid, "message" text NOT NULL, "raised_at" TIMESTAMP WITH TIME ZONE NOT NULL, "resolved_at" TIMESTAMP WITH TIME ZONE, "resolved_by_id" character varying(500), "resolved_by_name" character varying(200), CONSTRAINT "pk_alert" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_alert_open" ON "alert"  ("audience", "raised_at") WHERE resolved_at IS NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_alert_share_kind" ON "alert"  ("share_id", "kind") `);
    await queryRunner.query(`CREATE TABLE "consent_record" ("id" uuid NOT NULL, "contact_id" uuid NOT NULL, "kind" character varying(10) NOT NULL, "status" character varying(20), "given_by" character varying(30), "not_sought_reason" character varying(50), "notes" text, "justification" text, "recorded_by_id" character varying(500) NOT NULL, "recorded_by_name" character varying(200) NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "ck_consent_record_kind" CHECK ((kind = 'decision' AND status IS NOT NULL AND justification IS NULL) OR (kind = 'override' AND status IS NULL AND justification IS NOT NULL)), CONSTRAINT "pk_consent_record" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_consent_record_contact" ON "consent_record"  ("contact_id", "recorded_at") `);
    await queryRunner.query(`CREATE TABLE "owner_agreement" ("id" uuid NOT NULL, "contact_id" uuid NOT NULL, "owner_agency" character varying(20) NOT NULL, "recipient_agency" character varying(20) NOT NULL, "agreed_by" character varying(200) NOT NULL, "notes" text, "recorded_by_id" character varying(500) NOT NULL, "recorded_by_name" character varying(200) NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_owner_agreement" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_owner_agreement_contact" ON "owner_agreement"  ("contact_id", "owner_agency", "recipient_agency") `);
    await queryRunner.query(`ALTER TABLE "share" ADD CONSTRAINT "fk_share_contact" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "share" ADD CONSTRAINT "fk_share_child" FOREIGN KEY ("child_id") REFERENCES "child"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "share" ADD CONSTRAINT "fk_share_notification" FOREIGN KEY ("notification_id") REFERENCES "notification"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "alert" ADD CONSTRAINT "fk_alert_contact" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "alert" ADD CONSTRAINT "fk_alert_share" FOREIGN KEY ("share_id") REFERENCES "share"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "consent_record" ADD CONSTRAINT "fk_consent_record_contact" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "owner_agreement" ADD CONSTRAINT "fk_owner_agreement_contact" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE ON "share", "alert" TO ${APPLICATION_ROLE}`);
    await queryRunner.query(`GRANT SELECT, INSERT ON "consent_record", "owner_agreement" TO ${APPLICATION_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "alert"`);
    await queryRunner.query(`DROP TABLE "owner_agreement"`);
    await queryRunner.query(`DROP TABLE "consent_record"`);
    await queryRunner.query(`DROP TABLE "share"`);
  }
}
