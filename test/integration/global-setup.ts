import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../../src/persistence/data-source';
import { TEST_DATABASE_URL } from './test-env';

/**
 * Runs once before the integration and e2e tiers: makes sure Postgres, Redis and ZooKeeper answer
 * (the project's own script installs/starts what is missing), then rebuilds the test database from
 * empty through every migration, so the tier always tests the migrations as a new install runs them.
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.PACER_SERVICES_READY) {
    execFileSync('bash', [path.join(__dirname, '../../scripts/services.sh'), 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
    process.env.PACER_SERVICES_READY = '1';
  }
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE');
    await client.query('CREATE SCHEMA public');
  } finally {
    await client.end();
  }
  const ds = createDataSource(TEST_DATABASE_URL, 2);
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}
