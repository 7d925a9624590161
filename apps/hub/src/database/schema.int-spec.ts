import { TEST_DATABASE_URL, resetDatabase } from '../../../../test/support/environment.js';
import { createDataSource } from './data-source.js';
import { UNRECORDED_ORGANISATION } from './migrations/1763884800010-notification-source-organisation.js';

describe('database schema', () => {
  it('the migrations produce exactly the schema the entities describe', async () => {
    await resetDatabase();
    const dataSource = await createDataSource(TEST_DATABASE_URL).initialize();
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      // Any statement here means an entity changed without a migration: generate one with `npm run schema:diff`.
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
      expect(await dataSource.showMigrations()).toBe(false);
    } finally {
      await dataSource.destroy();
    }
  });

  it('gives notifications stored before organisations were recorded an organisation no sender can have', async () => {
    await resetDatabase();
    const dataSource = await createDataSource(TEST_DATABASE_URL).initialize();
    try {
      // Back to just before organisations were recorded, whatever migrations came after.
      const applied = async () => (await dataSource.query('SELECT 1 FROM schema_migration WHERE name = $1', ['NotificationSourceOrganisation1763884800010'])).length > 0;
      while (await applied()) await dataSource.undoLastMigration({ transaction: 'each' });
      const insert = `INSERT INTO notification (id, source_agency, partner_reference, correlation_id, schema_version, reported_at, received_at, sender_urgency, categories, message)
        VALUES ($1, 'police', 'PPN/OLD/1', $1, 1, now(), now(), 'amber', '{3A}', $2)`;
      await dataSource.query(insert, ['6f1d3b0e-8a53-5c1e-9d4a-2b7f0c9e1a11', JSON.stringify({ partnerReference: 'PPN/OLD/1' })]);
      await dataSource.runMigrations({ transaction: 'each' });
      expect(await dataSource.query('SELECT source_organisation FROM notification')).toEqual([{ source_organisation: UNRECORDED_ORGANISATION }]);
      expect(UNRECORDED_ORGANISATION).toBe('unrecorded');
      // The same reference from a force that names itself is a notification of its own.
      const insertNamed = `INSERT INTO notification (id, source_agency, source_organisation, partner_reference, correlation_id, schema_version, reported_at, received_at, sender_urgency, referral_source, categories, message)
         VALUES ($1, 'police', $2, 'PPN/OLD/1', $1, 2, now(), now(), 'amber', '6', '{3A}', '{}')`;
      await dataSource.query(insertNamed, ['0b8e7f2c-3d4a-4e5f-8a9b-1c2d3e4f5a6b', '01']);
      await expect(dataSource.query(insertNamed, ['0b8e7f2c-3d4a-4e5f-8a9b-1c2d3e4f5a6c', UNRECORDED_ORGANISATION])).rejects.toThrow(/uq_notification_partner_reference/);
    } finally {
      await dataSource.destroy();
    }
  });

  it('rewrites stored version 1 notifications in the current shape with their referral source, and back again', async () => {
    await resetDatabase();
    const dataSource = await createDataSource(TEST_DATABASE_URL).initialize();
    try {
      const applied = async () => (await dataSource.query('SELECT 1 FROM schema_migration WHERE name = $1', ['NotificationAgencyDetails1763884800050'])).length > 0;
      while (await applied()) await dataSource.undoLastMigration({ transaction: 'each' });
      const police = { referralType: 'formal_referral', incidentLocation: 'Exampletown', officerInCase: { name: 'PC Officer', contact: '0123' }, domesticAbuse: true };
      const versionOne = { schemaVersion: 1, partnerReference: 'PPN/OLD/2', sourceAgency: 'police', police };
      await dataSource.query(
        `INSERT INTO notification (id, source_agency, source_organisation, partner_reference, correlation_id, schema_version, reported_at, received_at, sender_urgency, categories, message)
         VALUES ($1, 'police', '01', 'PPN/OLD/2', $1, 1, now(), now(), 'amber', '{3A}', $2)`,
        ['6f1d3b0e-8a53-5c1e-9d4a-2b7f0c9e1a12', JSON.stringify(versionOne)],
      );
      await dataSource.runMigrations({ transaction: 'each' });
      expect(await dataSource.query('SELECT schema_version, referral_source, message FROM notification')).toEqual([
        {
          schema_version: 2,
          referral_source: '6',
          message: { schemaVersion: 2, partnerReference: 'PPN/OLD/2', sourceAgency: 'police', referralSource: '6', details: { agency: 'police', version: 1, ...police } },
        },
      ]);
      while (await applied()) await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await dataSource.query('SELECT schema_version, message FROM notification')).toEqual([{ schema_version: 1, message: versionOne }]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('is never synchronised from the entities', () => {
    expect(createDataSource(TEST_DATABASE_URL).options.synchronize).toBe(false);
  });
});
