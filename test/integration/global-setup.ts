import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../../src/persistence/data-source';

const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const PREFIX = 'pacer_test_';

/**
 * Runs once before the integration and e2e tiers: makes sure Postgres, Redis and ZooKeeper answer
 * (the project's own script installs/starts what is missing), then creates this run's own database
 * and builds it from empty through every migration, so the tier always tests the migrations as a
 * new install runs them. Databases of earlier runs whose process is gone are dropped.
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.PACER_SERVICES_READY) {
    execFileSync('bash', [path.join(__dirname, '../../scripts/services.sh'), 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
    process.env.PACER_SERVICES_READY = '1';
  }
  if (process.env.TEST_DATABASE_URL) return migrate(process.env.TEST_DATABASE_URL, false);
  const name = `${PREFIX}${process.pid}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const old = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}%'`);
    for (const { datname } of old.rows) {
      const pid = Number.parseInt(datname.slice(PREFIX.length), 10); // `<pid>` or `<pid>_s<n>` (scratch-db.ts)
      if (pid === process.pid || isAlive(pid)) continue;
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  // Workers inherit this: test-env.ts reads it.
  process.env.TEST_DATABASE_URL = url.toString();
  await migrate(url.toString(), true);
}

async function migrate(url: string, fresh: boolean): Promise<void> {
  if (!fresh) {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      await c.query('DROP SCHEMA IF EXISTS public CASCADE');
      await c.query('CREATE SCHEMA public');
    } finally {
      await c.end();
    }
  }
  const ds = createDataSource(url, 2);
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
