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
    scheduler = new ProbeScheduler({ ...conn, probesPerJob: 5 });
    // Two "replicas", each with its own worker; few slots each, so one cannot take all the work.
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

  it.each([
    // probes per job, maxQueued, probes offered (all due within one slot), accepted
    [1, 5, 8, 5],
    [2, 4, 8, 4],
    [25, 50, 8, 8],
  ] as const)('the queue is bounded: %d probe(s) per job, maxQueued %d, %d offered → %d accepted, the rest dropped', async (probesPerJob, maxQueued, offered, accepted) => {
    const bounded = new ProbeScheduler({ redisUrl: TEST_REDIS_URL, prefix: `${prefix}-bounded-${probesPerJob}`, maxQueued, probesPerJob });
    try {
      const far = Date.now() + 3_600_000; // delayed, so nothing works them meanwhile
      const jobs = Array.from({ length: offered }, (_, i) => job('/healthy', { dueAt: far + i }));
      expect(await bounded.scheduleProbes(jobs)).toEqual({ accepted, dropped: offered - accepted });
      expect(await bounded.backlog()).toBe(Math.ceil(accepted / probesPerJob));
    } finally {
      await bounded.close();
    }
  });

  it('probes due in different slots travel in different jobs, each run at its own due time', async () => {
    const base = Date.now() + 300;
    const jobs = [job('/healthy', { dueAt: base }), job('/healthy', { dueAt: base + 50 }), job('/healthy', { dueAt: base + 400 })];
    await scheduler.scheduleProbes(jobs);
    await eventually(() => jobs.every((j) => seen.has(j.taskId)));
    for (const j of jobs) {
      const r = seen.get(j.taskId)!;
      expect(r.ranAt).toBeGreaterThanOrEqual(j.dueAt);
      expect(r.ranAt - j.dueAt).toBeLessThan(500);
    }
  });

  it('a slow probe does not hold back the results of its batch', async () => {
    const now = Date.now();
    const slowServer = http.createServer(() => undefined); // never answers
    const slowPort = await new Promise<number>((resolve) => slowServer.listen(0, '127.0.0.1', () => resolve((slowServer.address() as net.AddressInfo).port)));
    try {
      const hang = job('/x', { port: slowPort, timeoutSeconds: 3, dueAt: now });
      const quick = job('/healthy', { dueAt: now + 1 });
      await scheduler.scheduleProbes([hang, quick]);
      await eventually(() => seen.has(quick.taskId), 2000);
      expect(seen.has(hang.taskId)).toBe(false);
      await eventually(() => seen.has(hang.taskId), 5000);
      expect(seen.get(hang.taskId)).toMatchObject({ ok: false, cause: 'Request timed out after 3000 ms' });
    } finally {
      slowServer.closeAllConnections();
      await new Promise((r) => slowServer.close(r));
    }
  });
});
