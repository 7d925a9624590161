/**
 * Applies pending migrations as the schema owner: `npm run migrate`. Run
 * before the hub starts; the hub itself never changes the schema.
 */
import 'reflect-metadata';
import { loadConfig } from '#platform';
import { createDataSource } from './data-source.js';
import { ensureDatabaseExists } from './ensure-database.js';
import { MigrationConfig } from './migration-config.js';

const config = loadConfig(MigrationConfig);
await ensureDatabaseExists(config.MIGRATION_DATABASE_URL);
const dataSource = await createDataSource(config.MIGRATION_DATABASE_URL).initialize();
try {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  console.log(
    JSON.stringify({
      level: 'log',
      context: 'migrate',
      message: applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'schema is up to date',
    }),
  );
} finally {
  await dataSource.destroy();
}
