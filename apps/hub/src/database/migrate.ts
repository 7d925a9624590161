/**
 * Applies pending migrations: `npm run migrate`. Run before the hub starts;
 * the hub itself never changes the schema.
 */
import { loadConfig } from '#platform';
import { HubConfig } from '../config.js';
import { createDataSource } from './data-source.js';
import { ensureDatabaseExists } from './ensure-database.js';

const config = loadConfig(HubConfig);
await ensureDatabaseExists(config.DATABASE_URL);
const dataSource = await createDataSource(config.DATABASE_URL).initialize();
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
