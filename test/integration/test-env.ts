/**
 * Where the integration and e2e tiers find their services (overridable for other machines).
 * Each jest run gets its own database (global-setup creates `pacer_test_<pid>` and exports its URL
 * here), so two runs on one machine never reset each other's data.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/pacer_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
export const TEST_ZK_URL = process.env.TEST_ZK_URL ?? 'zk://127.0.0.1:2181/pacer-test';
/**
 * Key prefix of the health probe queue and result stream for this run (HEALTH_QUEUE_PREFIX): the
 * run's database name, so runs never work each other's probes and global-teardown can delete its keys.
 */
export const TEST_QUEUE_PREFIX = process.env.TEST_QUEUE_PREFIX ?? new URL(TEST_DATABASE_URL).pathname.slice(1);
