import { Redis } from 'ioredis';
import { Client } from 'pg';

/**
 * Drops this run's own test database and its scratch databases (see global-setup, scratch-db.ts),
 * and the Redis keys of their health probe queues (prefixed with the database's name, test-env.ts).
 */
export default async function globalTeardown(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  const name = url ? new URL(url).pathname.slice(1) : '';
  if (!name.startsWith('pacer_test_')) return;
  await deleteQueueKeys([`${name}:*`, `${name}_s*:*`]);
  const admin = new Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    const scratch = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${name}\\_s%`]);
    for (const { datname } of scratch.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function deleteQueueKeys(patterns: readonly string[]): Promise<void> {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } catch {
    // Redis down: nothing of ours can be there to delete
  } finally {
    redis.disconnect();
  }
}
