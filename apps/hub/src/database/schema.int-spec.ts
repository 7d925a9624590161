import { TEST_DATABASE_URL, resetDatabase } from '../../../../test/support/environment.js';
import { createDataSource } from './data-source.js';

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

  it('is never synchronised from the entities', () => {
    expect(createDataSource(TEST_DATABASE_URL).options.synchronize).toBe(false);
  });
});
