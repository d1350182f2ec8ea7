import { Client } from 'pg';
import { createDataSource } from '../../src/persistence/data-source';
import { TEST_DATABASE_URL } from './test-env';

let counter = 0;

export interface ScratchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A database of its own, migrated from empty, for tests that run the scheduler: a scheduler acts on
 * every app it finds, so it must never see the apps other test files left in the shared database.
 * Named after the run's database, so global setup drops it with the run if a test dies early.
 */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const base = new URL(TEST_DATABASE_URL);
  const name = `${base.pathname.slice(1)}_s${++counter}`;
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = '/postgres';
  const c = new Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"`);
  } finally {
    await c.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const ds = createDataSource(url.toString(), 2);
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
  return {
    url: url.toString(),
    async drop() {
      const d = new Client({ connectionString: admin.toString() });
      await d.connect();
      try {
        await d.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await d.end();
      }
    },
  };
}
