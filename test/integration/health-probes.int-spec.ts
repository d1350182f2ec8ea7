import http from 'node:http';
import net from 'node:net';
import { Redis } from 'ioredis';
import { ProbeResults, ProbeScheduler, ProbeWorker, type ProbeJob, type ProbeResultMessage } from '../../src/health-checks/probe-queue';
import { TEST_REDIS_URL } from './test-env';

/** Polls until `fn` is true, or fails after `ms`. */
async function eventually(fn: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('health probes through BullMQ and the result stream (real Redis)', () => {
  const prefix = `pacer-test-${process.pid}-${Date.now()}`;
  const conn = { redisUrl: TEST_REDIS_URL, prefix };
  const server = http.createServer((req, res) => {
    if (req.url === '/healthy') res.end('ok');
    else if (req.url === '/slow') setTimeout(() => res.end('ok'), 100);
    else res.writeHead(503).end();
  });
  let port: number;
  let scheduler: ProbeScheduler;
  let results: ProbeResults;
  const workers: ProbeWorker[] = [];
  const seen = new Map<string, ProbeResultMessage>();
  const errors: Error[] = [];
  let n = 0;

  const job = (path: string, over: Partial<ProbeJob> = {}): ProbeJob => {
    n++;
    return {
      instanceId: `app.instance-${n}`, taskId: `app.instance-${n}._app.1`, appId: '/app', checkIndex: 0,
      host: '127.0.0.1', port, protocol: 'HTTP', path, timeoutSeconds: 2, dueAt: Date.now(), ...over,
    };
  };

  beforeAll(async () => {
    port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
    scheduler = new ProbeScheduler(conn);
    // Two "replicas", each with its own worker.
    workers.push(new ProbeWorker({ ...conn, name: 'replica-a', concurrency: 4, maxLagMs: 5000, onError: (e) => errors.push(e) }));
    workers.push(new ProbeWorker({ ...conn, name: 'replica-b', concurrency: 4, maxLagMs: 5000, onError: (e) => errors.push(e) }));
    results = new ProbeResults({ ...conn, blockMs: 200, onError: (e) => errors.push(e) });
    results.onResult((r) => seen.set(r.taskId, r));
    await new Promise((r) => setTimeout(r, 300)); // the first XREAD reads from '$'
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await results.close();
    await scheduler.close();
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

  afterEach(() => {
    expect(errors).toEqual([]);
  });

  it('a healthy and a failing server give the right results, with dueAt and ranAt', async () => {
    const ok = job('/healthy');
    const bad = job('/failing');
    const refused = job('/healthy', { protocol: 'TCP', port: 1 });
    expect(await scheduler.scheduleProbes([ok, bad, refused])).toEqual({ accepted: 3, dropped: 0 });
    await eventually(() => seen.has(ok.taskId) && seen.has(bad.taskId) && seen.has(refused.taskId));
    expect(seen.get(ok.taskId)).toMatchObject({ ok: true, status: 200, instanceId: ok.instanceId, appId: '/app', checkIndex: 0, dueAt: ok.dueAt });
    expect(seen.get(bad.taskId)).toMatchObject({ ok: false, status: 503, cause: '503 Service Unavailable' });
    expect(seen.get(refused.taskId)).toMatchObject({ ok: false, cause: expect.stringContaining('ECONNREFUSED') });
    for (const j of [ok, bad, refused]) {
      const r = seen.get(j.taskId)!;
      expect(r.ranAt).toBeGreaterThanOrEqual(j.dueAt);
      expect(r.ranAt - j.dueAt).toBeLessThan(2000);
      expect(['replica-a', 'replica-b']).toContain(r.worker);
    }
  });

  it('a probe due later waits until its due time', async () => {
    const later = job('/healthy', { dueAt: Date.now() + 700 });
    await scheduler.scheduleProbes([later]);
    await eventually(() => seen.has(later.taskId));
    const r = seen.get(later.taskId)!;
    expect(r.ranAt).toBeGreaterThanOrEqual(later.dueAt);
    expect(r.ranAt - later.dueAt).toBeLessThan(1000);
  });

  it('two replicas share the work', async () => {
    const jobs = Array.from({ length: 40 }, () => job('/slow'));
    await scheduler.scheduleProbes(jobs);
    await eventually(() => jobs.every((j) => seen.has(j.taskId)));
    const by = new Map<string, number>();
    for (const j of jobs) by.set(seen.get(j.taskId)!.worker, (by.get(seen.get(j.taskId)!.worker) ?? 0) + 1);
    expect(by.get('replica-a')).toBeGreaterThan(0);
    expect(by.get('replica-b')).toBeGreaterThan(0);
    expect(jobs.every((j) => seen.get(j.taskId)!.ok)).toBe(true);
  });

  it('a job picked up too late is reported as skipped, not probed', async () => {
    const stale = job('/failing', { dueAt: Date.now() - 60_000 });
    await scheduler.scheduleProbes([stale]);
    await eventually(() => seen.has(stale.taskId));
    expect(seen.get(stale.taskId)).toMatchObject({ ok: false, ignored: true, skipped: 'late', latencyMs: 0 });
  });

  it('the same (task, check, dueAt) queued twice is probed once', async () => {
    const once = job('/healthy', { dueAt: Date.now() + 300 });
    const count: ProbeResultMessage[] = [];
    results.onResult((r) => { if (r.taskId === once.taskId) count.push(r); });
    await scheduler.scheduleProbes([once, once]);
    await scheduler.scheduleProbes([once]);
    await eventually(() => count.length > 0);
    await new Promise((r) => setTimeout(r, 500));
    expect(count).toHaveLength(1);
  });

  it('a new reader can replay the retained results', async () => {
    const replay = new ProbeResults({ ...conn, from: 'retained', blockMs: 200 });
    const got = new Set<string>();
    replay.onResult((r) => got.add(r.taskId));
    try {
      await eventually(() => [...seen.keys()].every((t) => got.has(t)));
    } finally {
      await replay.close();
    }
  });

  it('the queue is bounded: past maxQueued, jobs are dropped and counted', async () => {
    const bounded = new ProbeScheduler({ redisUrl: TEST_REDIS_URL, prefix: `${prefix}-bounded`, maxQueued: 5 });
    try {
      const far = Date.now() + 3_600_000; // delayed, so nothing works them meanwhile
      const jobs = Array.from({ length: 8 }, (_, i) => job('/healthy', { dueAt: far + i }));
      expect(await bounded.scheduleProbes(jobs)).toEqual({ accepted: 5, dropped: 3 });
      expect(await bounded.backlog()).toBe(5);
      expect(await bounded.scheduleProbes([job('/healthy', { dueAt: far })])).toEqual({ accepted: 0, dropped: 1 });
    } finally {
      await bounded.close();
    }
  });
});
