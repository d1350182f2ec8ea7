import { hostname } from 'node:os';

/**
 * All of Pacer's settings, read from environment variables once at start-up, validated, and frozen.
 * Nothing else in Pacer reads `process.env`. A bad value stops start-up with one line naming the
 * variable and what is wrong (ConfigError).
 */
export interface AppConfig {
  readonly httpPort: number;
  readonly httpHost: string;
  /** host:port other replicas and clients use to reach this one (X-Marathon-Leader, /v2/leader). */
  readonly advertisedAddress: string;
  readonly httpBodyLimitBytes: number;
  readonly databaseUrl: string;
  readonly databasePoolSize: number;
  readonly redisUrl: string;
  readonly zkUrl: string | undefined;
  readonly leaderElection: 'standalone' | 'zookeeper';
  readonly mesosMaster: string;
  /** false runs an API-only replica: no Mesos driver even when leading. */
  readonly schedulerEnabled: boolean;
  readonly mesosEncoding: 'protobuf' | 'json';
  readonly frameworkName: string;
  readonly frameworkRole: string;
  readonly frameworkUser: string;
  readonly failoverTimeoutSeconds: number;
  /** Stored versions kept per app (Marathon's zk_max_versions). */
  readonly maxAppVersions: number;
  readonly maxRunningDeployments: number;
  /** Serialized single-app answers kept per replica (0 = no cache). */
  readonly appCacheEntries: number;
  /** Longest a cached answer is served (bounds staleness if a change announcement was lost). */
  readonly appCacheTtlMs: number;
  readonly localPortMin: number;
  readonly localPortMax: number;
  /** Marathon `--max_instances_per_offer` (Marathon: 5; higher here so one offer cycle fills agents). */
  readonly maxInstancesPerOffer: number;
  /** Marathon `--decline_offer_duration`: refuse filter for offers nothing waiting could use. */
  readonly declineOfferDurationSeconds: number;
  /** Marathon `--min_revive_offers_interval`. */
  readonly minReviveOffersIntervalMs: number;
  /** Marathon `--reconciliation_interval`: explicit + implicit reconciliation besides each SUBSCRIBED. */
  readonly reconciliationIntervalSeconds: number;
  /** Marathon `--scale_apps_interval`: every app outside a deployment is brought to its count. */
  readonly scaleAppsIntervalSeconds: number;
  /** Marathon `--task_launch_confirm_timeout`: a launch Mesos never confirmed is killed and retried. */
  readonly taskLaunchConfirmTimeoutSeconds: number;
  /** Marathon `--task_launch_timeout`: a task stuck in staging/starting this long is killed. */
  readonly taskLaunchTimeoutSeconds: number;
  /** A kill not answered by a terminal update is sent again after this long. */
  readonly killRetrySeconds: number;
  /** The scheduler's housekeeping period (timeouts, backoff expiry, deployment progress). */
  readonly schedulerTickMs: number;
  /** Pacer-side health probes in flight at once on this replica (Marathon's global cap is 256). */
  readonly healthProbeConcurrency: number;
  /** Probes queued and not yet started beyond which the leader drops new ones (a circuit-breaker input). */
  readonly healthProbeMaxQueued: number;
  /** A probe a worker would start later than this after its due time is skipped, not run (its answer would be stale). */
  readonly healthProbeMaxLagMs: number;
  /** Health kills (or replacements) an app may have back to back… */
  readonly healthKillBurst: number;
  /** …then one more every this many seconds. */
  readonly healthKillRefillSeconds: number;
  /** Key prefix of the `health-probes` queue and the results stream in Redis (one per Pacer cluster; tests use one per run). */
  readonly healthQueuePrefix: string;
  /** Health kills of an app stop when this share of its probed instances turned unhealthy at once (circuit breaker). */
  readonly healthBreakerAppShare: number;
  /** All health kills stop when this share of all probed instances turned unhealthy at once. */
  readonly healthBreakerGlobalShare: number;
  /** All health kills stop while the p99 lag of probes behind their due time exceeds this. */
  readonly healthBreakerMaxLagMs: number;
  /** false: this replica runs no probe worker (probes are then worked by the other replicas only). */
  readonly healthProbeWorker: boolean;
  /** Key prefix of the event fan-out channel (`<prefix>:events`) and the `event-callbacks` queue in Redis (one per Pacer cluster; tests use one per run). */
  readonly eventsRedisPrefix: string;
  /** Events that may wait for one `/v2/events` client before it is disconnected (Marathon's `--event_stream_max_outstanding_messages`). */
  readonly eventStreamClientBuffer: number;
  /** A keep-alive comment goes to every idle `/v2/events` client this often. */
  readonly eventStreamKeepAliveMs: number;
  /** Longest one event-callback POST may take (connect to last byte). */
  readonly eventCallbackTimeoutMs: number;
  /** Tries per event and callback URL (the first included), with exponential backoff from 1 s. */
  readonly eventCallbackAttempts: number;
  /** Deliveries queued for one callback URL beyond which new events for it are dropped (counted). */
  readonly eventCallbackMaxQueued: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly logPretty: boolean;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  return v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A share in (0, 1], e.g. `0.5`. */
function share(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.trim());
  if (!/^\d*\.?\d+$/.test(raw.trim()) || !(n > 0 && n <= 1)) throw new ConfigError(name, `must be a number in (0, 1], got '${raw}'`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got '${raw}'`);
}

function url(env: Env, name: string, fallback: string, protocols: readonly string[]): string {
  const raw = str(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a valid URL: '${raw}'`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got '${parsed.protocol}'`);
  }
  return raw;
}

/** `http://host:5050`, a comma list of those, or `zk://host:2181[,host2]/path`. */
function mesosMaster(env: Env): string {
  const raw = str(env, 'MESOS_MASTER', 'http://127.0.0.1:5050');
  if (raw.startsWith('zk://')) {
    if (!/^zk:\/\/[^/]+\/.+$/.test(raw)) throw new ConfigError('MESOS_MASTER', `zk URL needs hosts and a path, got '${raw}'`);
    return raw;
  }
  for (const part of raw.split(',')) {
    const p = part.trim();
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(p).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new ConfigError('MESOS_MASTER', `'${p}' is not an http(s) URL or zk:// URL`);
  }
  return raw;
}

export function loadConfig(env: Env): AppConfig {
  const httpPort = int(env, 'HTTP_PORT', 8080, 0, 65535);
  const zkUrl = env.ZK_URL ? url(env, 'ZK_URL', '', ['zk:']) : undefined;
  const leaderElection = oneOf(env, 'LEADER_ELECTION', zkUrl ? 'zookeeper' : 'standalone', ['standalone', 'zookeeper'] as const);
  if (leaderElection === 'zookeeper' && !zkUrl) throw new ConfigError('ZK_URL', 'is required when LEADER_ELECTION=zookeeper');
  const localPortMin = int(env, 'LOCAL_PORT_MIN', 10000, 1, 65535);
  const localPortMax = int(env, 'LOCAL_PORT_MAX', 20000, 1, 65535);
  if (localPortMax <= localPortMin) throw new ConfigError('LOCAL_PORT_MAX', `must be greater than LOCAL_PORT_MIN (${localPortMin})`);
  const config: AppConfig = {
    httpPort,
    httpHost: str(env, 'HTTP_HOST', '0.0.0.0'),
    advertisedAddress: str(env, 'PACER_ADVERTISED_ADDRESS', `${hostname()}:${httpPort}`),
    httpBodyLimitBytes: int(env, 'HTTP_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres:postgres@127.0.0.1:5432/pacer', ['postgres:', 'postgresql:']),
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    zkUrl,
    leaderElection,
    mesosMaster: mesosMaster(env),
    schedulerEnabled: bool(env, 'SCHEDULER_ENABLED', true),
    mesosEncoding: oneOf(env, 'MESOS_ENCODING', 'protobuf', ['protobuf', 'json'] as const),
    frameworkName: str(env, 'FRAMEWORK_NAME', 'pacer'),
    frameworkRole: str(env, 'FRAMEWORK_ROLE', '*'),
    frameworkUser: str(env, 'FRAMEWORK_USER', 'root'),
    failoverTimeoutSeconds: int(env, 'FAILOVER_TIMEOUT_SECONDS', 604800, 0, 365 * 24 * 3600),
    maxAppVersions: int(env, 'MAX_APP_VERSIONS', 50, 1, 10000),
    maxRunningDeployments: int(env, 'MAX_RUNNING_DEPLOYMENTS', 100, 1, 100000),
    appCacheEntries: int(env, 'APP_CACHE_ENTRIES', 20000, 0, 10_000_000),
    appCacheTtlMs: int(env, 'APP_CACHE_TTL_MS', 30_000, 0, 3_600_000),
    localPortMin,
    localPortMax,
    maxInstancesPerOffer: int(env, 'MAX_INSTANCES_PER_OFFER', 100, 1, 100_000),
    declineOfferDurationSeconds: int(env, 'DECLINE_OFFER_DURATION_SECONDS', 120, 0, 86_400),
    minReviveOffersIntervalMs: int(env, 'MIN_REVIVE_OFFERS_INTERVAL_MS', 5000, 0, 3_600_000),
    reconciliationIntervalSeconds: int(env, 'RECONCILIATION_INTERVAL_SECONDS', 600, 1, 86_400),
    scaleAppsIntervalSeconds: int(env, 'SCALE_APPS_INTERVAL_SECONDS', 60, 1, 86_400),
    taskLaunchConfirmTimeoutSeconds: int(env, 'TASK_LAUNCH_CONFIRM_TIMEOUT_SECONDS', 300, 1, 86_400),
    taskLaunchTimeoutSeconds: int(env, 'TASK_LAUNCH_TIMEOUT_SECONDS', 300, 1, 86_400),
    killRetrySeconds: int(env, 'KILL_RETRY_SECONDS', 30, 1, 86_400),
    schedulerTickMs: int(env, 'SCHEDULER_TICK_MS', 1000, 10, 60_000),
    healthProbeConcurrency: int(env, 'HEALTH_PROBE_CONCURRENCY', 256, 1, 100_000),
    healthProbeMaxQueued: int(env, 'HEALTH_PROBE_MAX_QUEUED', 50_000, 1, 10_000_000),
    healthProbeMaxLagMs: int(env, 'HEALTH_PROBE_MAX_LAG_MS', 30_000, 100, 3_600_000),
    healthKillBurst: int(env, 'HEALTH_KILL_BURST', 1, 1, 100_000),
    healthKillRefillSeconds: int(env, 'HEALTH_KILL_REFILL_SECONDS', 10, 0, 86_400),
    healthQueuePrefix: str(env, 'HEALTH_QUEUE_PREFIX', 'pacer'),
    healthBreakerAppShare: share(env, 'HEALTH_BREAKER_APP_SHARE', 0.5),
    healthBreakerGlobalShare: share(env, 'HEALTH_BREAKER_GLOBAL_SHARE', 0.3),
    healthBreakerMaxLagMs: int(env, 'HEALTH_BREAKER_MAX_LAG_MS', 2000, 1, 3_600_000),
    healthProbeWorker: bool(env, 'HEALTH_PROBE_WORKER', true),
    eventsRedisPrefix: str(env, 'EVENTS_REDIS_PREFIX', 'pacer'),
    eventStreamClientBuffer: int(env, 'EVENT_STREAM_CLIENT_BUFFER', 1024, 1, 1_000_000),
    eventStreamKeepAliveMs: int(env, 'EVENT_STREAM_KEEPALIVE_MS', 10_000, 100, 3_600_000),
    eventCallbackTimeoutMs: int(env, 'EVENT_CALLBACK_TIMEOUT_MS', 3000, 100, 60_000),
    eventCallbackAttempts: int(env, 'EVENT_CALLBACK_ATTEMPTS', 5, 1, 20),
    eventCallbackMaxQueued: int(env, 'EVENT_CALLBACK_MAX_QUEUED', 1000, 1, 1_000_000),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    logPretty: bool(env, 'LOG_PRETTY', false),
  };
  return Object.freeze(config);
}

/** Nest injection token for the frozen AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
