import http from 'node:http';
import type net from 'node:net';
import { Redis } from 'ioredis';
import { Metrics } from '../../src/common/metrics';
import { loadConfig } from '../../src/config/app-config';
import { normalizeApp, type AppDefinition } from '../../src/core/apps';
import type { Instance } from '../../src/core/instances';
import { ProbeWorkerService } from '../../src/health-checks/health-checks.module';
import { HealthMonitor, redisProbeChannels } from '../../src/scheduler/health-monitor';
import { TEST_REDIS_URL } from './test-env';

async function eventually(fn: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('HealthMonitor with the probe worker of a replica, on real Redis', () => {
  const prefix = `pacer-test-monitor-${process.pid}-${Date.now()}`;
  let status = 200;
  const server = http.createServer((_req, res) => res.writeHead(status).end());
  let port: number;
  let worker: ProbeWorkerService;
  let monitor: HealthMonitor;
  const changes: string[] = [];

  beforeAll(async () => {
    port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
    const config = loadConfig({ REDIS_URL: TEST_REDIS_URL, HEALTH_QUEUE_PREFIX: prefix, HEALTH_PROBE_CONCURRENCY: '8' });
    worker = new ProbeWorkerService(config, true, new Metrics());
    worker.onApplicationBootstrap();
    const errors: Error[] = [];
    monitor = new HealthMonitor({
      ...redisProbeChannels({ redisUrl: TEST_REDIS_URL, prefix, maxQueued: 1000, onError: (e) => errors.push(e) }),
      log: quiet,
      onChange: (ids) => changes.push(...ids),
    });
    await new Promise((r) => setTimeout(r, 300)); // the result reader's first XREAD starts from '$'
  });

  afterAll(async () => {
    await monitor.stop();
    await worker.onApplicationShutdown();
    await new Promise((r) => server.close(r));
    const redis = new Redis(TEST_REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  });

  it('probes a running task through the queue and follows its health', async () => {
    const r = normalizeApp({
      id: '/probed', cmd: 'serve', instances: 1, portDefinitions: [{ port: 0 }],
      healthChecks: [{ protocol: 'HTTP', path: '/health', portIndex: 0, gracePeriodSeconds: 0, intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 0 }],
    });
    if (!r.ok) throw new Error(JSON.stringify(r.details));
    const app: AppDefinition = { ...r.app, version: '2026-01-01T00:00:00.000Z' };
    const now = new Date().toISOString();
    const x: Instance = {
      instanceId: 'probed.instance-1', appId: '/probed', appVersion: app.version as string, goal: 'running', state: 'TASK_RUNNING', incarnation: 1,
      taskId: 'probed.instance-1._app.1', agentId: 'a1', host: '127.0.0.1', hostPorts: [port], createdAt: now, stateSince: now, stagedAt: now, startedAt: now,
    };
    monitor.sync([{ app, instances: [x] }]);
    await eventually(() => monitor.healthOf(x.instanceId) === true);
    expect(monitor.results(x.instanceId)[0]).toMatchObject({ alive: true, instanceId: x.instanceId });
    expect(worker.current?.name).toBeDefined();
    status = 503;
    await eventually(() => monitor.healthOf(x.instanceId) === false);
    expect(monitor.results(x.instanceId)[0]).toMatchObject({ alive: false, lastFailureCause: '503 Service Unavailable' });
    expect(changes).toContain(x.instanceId);
    expect(monitor.takeDirty().upserts.map((u) => u.instanceId)).toEqual([x.instanceId]);
    monitor.plan();
    expect(monitor.stats().breaker.global.open).toBe(false);
  });
});

describe('ProbeWorkerService when Redis cannot be reached', () => {
  it('starts, keeps the app up, and shuts down within its bound', async () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', HEALTH_QUEUE_PREFIX: 'pacer-test-unreachable' });
    const service = new ProbeWorkerService(config, true, new Metrics());
    expect(() => service.onApplicationBootstrap()).not.toThrow();
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await service.onApplicationShutdown();
    expect(Date.now() - t0).toBeLessThan(7000);
  }, 15_000);

  it('does not start without a database connection, or when disabled', async () => {
    const on = new ProbeWorkerService(loadConfig({ REDIS_URL: TEST_REDIS_URL }), false, new Metrics());
    on.onApplicationBootstrap();
    expect(on.current).toBeUndefined();
    const off = new ProbeWorkerService(loadConfig({ REDIS_URL: TEST_REDIS_URL, HEALTH_PROBE_WORKER: 'false' }), true, new Metrics());
    off.onApplicationBootstrap();
    expect(off.current).toBeUndefined();
    await on.onApplicationShutdown();
    await off.onApplicationShutdown();
  });
});
