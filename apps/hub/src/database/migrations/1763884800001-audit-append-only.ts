import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The role the hub connects as. It may add audit events but never change or remove one. */
export const APPLICATION_ROLE = 'mash_app';

const BUSINESS_TABLES = ['child', 'notification', 'contact', 'contact_notification', 'outbox_message'];
const APPEND_ONLY_TABLES = ['audit_event', 'audit_checkpoint'];

/**
 * Makes the audit trail append-only twice over: the application role is
 * granted only SELECT and INSERT on it, and triggers refuse UPDATE, DELETE
 * and TRUNCATE from anyone, the owner included. Seeds the chain head.
 */
export class AuditAppendOnly1763884800001 implements MigrationInterface {
  name = 'AuditAppendOnly1763884800001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`INSERT INTO "audit_chain_head" ("id", "sequence", "hash") VALUES (1, 0, repeat('0', 64))`);

    await queryRunner.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of APPEND_ONLY_TABLES) {
      await queryRunner.query(
        `CREATE TRIGGER "${table}_append_only" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`,
      );
    }

    // Roles belong to the whole server, so another database may have created it already.
    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APPLICATION_ROLE}') THEN
          CREATE ROLE ${APPLICATION_ROLE} LOGIN;
        END IF;
      END $$`);
    const password = process.env.APP_DATABASE_PASSWORD;
    if (password) await queryRunner.query(`ALTER ROLE ${APPLICATION_ROLE} PASSWORD ${quoteLiteral(password)}`);
    await queryRunner.query(`DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO ${APPLICATION_ROLE}', current_database()); END $$`);
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO ${APPLICATION_ROLE}`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${BUSINESS_TABLES.map((t) => `"${t}"`).join(', ')} TO ${APPLICATION_ROLE}`);
    await queryRunner.query(`GRANT SELECT, INSERT ON ${APPEND_ONLY_TABLES.map((t) => `"${t}"`).join(', ')} TO ${APPLICATION_ROLE}`);
    await queryRunner.query(`GRANT SELECT, UPDATE ON "audit_chain_head" TO ${APPLICATION_ROLE}`);
    await queryRunner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APPLICATION_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APPLICATION_ROLE}`);
    await queryRunner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APPLICATION_ROLE}`);
    await queryRunner.query(`REVOKE USAGE ON SCHEMA public FROM ${APPLICATION_ROLE}`);
    for (const table of APPEND_ONLY_TABLES) {
      await queryRunner.query(`DROP TRIGGER "${table}_no_truncate" ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER "${table}_append_only" ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION audit_refuse_change()`);
    await queryRunner.query(`DELETE FROM "audit_chain_head"`);
  }
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
