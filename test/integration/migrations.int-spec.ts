import { Client } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { createDataSource } from '../../src/persistence/data-source';
import { TEST_DATABASE_URL } from './test-env';

/** Global setup rebuilt the test database from empty through every migration; check the result. */
describe('migrations', () => {
  it('created every table from an empty database and recorded each migration', async () => {
    const c = new Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      const tables = (await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).rows.map((r) => r.table_name);
      expect(tables).toEqual(['app_versions', 'apps', 'deployment_counts', 'deployments', 'event_subscriptions', 'framework', 'group_versions', 'groups', 'instance_health', 'instances', 'leader_term', 'pacer_migrations', 'service_ports', 'task_failures']);
      const applied = (await c.query('SELECT name FROM pacer_migrations ORDER BY id')).rows.map((r) => r.name);
      expect(applied).toEqual(MIGRATIONS.map((M) => new M().name));
    } finally {
      await c.end();
    }
  });

  it('a second run applies nothing (idempotent)', async () => {
    const ds = createDataSource(TEST_DATABASE_URL, 1);
    await ds.initialize();
    try {
      expect(await ds.runMigrations()).toEqual([]);
      expect(await ds.showMigrations()).toBe(false);
    } finally {
      await ds.destroy();
    }
  });

  it('the trigger-kept deployment count matches the table through inserts and deletes', async () => {
    const c = new Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      const ids = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      await c.query(
        `INSERT INTO deployments (id, version, affected_apps, original, target, steps) SELECT unnest($1::uuid[]), now(), ARRAY['/count-test'], '{}', '{}', '[]'`,
        [ids],
      );
      await c.query(`DELETE FROM deployments WHERE id = ANY($1::uuid[])`, [ids.slice(0, 25)]);
      const { rows } = await c.query(`SELECT (SELECT sum(n)::int FROM deployment_counts) AS counted, (SELECT count(*)::int FROM deployments) AS actual`);
      expect(rows[0].counted).toBe(rows[0].actual);
      await c.query(`DELETE FROM deployments WHERE id = ANY($1::uuid[])`, [ids]);
    } finally {
      await c.end();
    }
  });
});
