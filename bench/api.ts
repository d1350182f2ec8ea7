import autocannon from 'autocannon';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { Client } from 'pg';
import path from 'node:path';
import { freePort, freshDatabase, percentile, saveResult, startNode, stop, waitForHttp } from './lib';

/**
 * Issue 2's API figures, measured against a real Pacer process on a real Postgres:
 *  - durable creates per second (POST /v2/apps, each one transaction with its app version and
 *    deployment) in buckets of 1,000 as the store grows from 0 to 10,000 apps;
 *  - at 1,000 and 10,000 stored apps: GET /v2/apps/{id} throughput next to a bare Fastify route
 *    returning the same JSON (the ratio is the figure), and the p99 of the full GET /v2/apps list.
 * Pacer and the bare route run as child processes; the load generator is this process.
 */
const TOTAL = Number(process.env.BENCH_APPS ?? 10_000);
const BUCKET = 1_000;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const READ_SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 8);
const LIST_REQUESTS = Number(process.env.BENCH_LIST_REQUESTS ?? 60);

const appBody = (i: number, root = '/bench') =>
  JSON.stringify({
    id: `${root}/group-${i % 100}/app-${i}`,
    cmd: `python3 -m http.server $PORT0 # ${i}`,
    cpus: 0.1,
    mem: 64,
    instances: 2,
    labels: { team: `t${i % 7}`, tier: i % 2 ? 'web' : 'worker' },
    env: { MODE: 'bench' },
    healthChecks: [{ protocol: 'HTTP', path: '/', portIndex: 0 }],
  });

/**
 * POSTs apps from..to with CONNECTIONS concurrent autocannon clients. Timed from the start to the
 * last response here: autocannon's own `amount` run only notices completion on its one-second tick.
 */
async function createRange(base: string, from: number, to: number, root = '/bench'): Promise<{ perSecond: number; errors: number }> {
  let next = from;
  let last = 0;
  let errors = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections: CONNECTIONS,
        amount: to - from,
        requests: [{ method: 'POST', path: '/v2/apps', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: appBody(next++, root) }) }],
      },
      (err) => (err ? reject(err) : resolve()),
    );
    instance.on('response', (_client: unknown, status: number) => {
      last = performance.now();
      if (status !== 201) errors++;
    });
  });
  return { perSecond: (to - from) / ((last - t0) / 1000), errors };
}

async function readThroughput(base: string, pathOf: () => string): Promise<number> {
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: READ_SECONDS,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: pathOf() }) }],
  });
  if (result.non2xx + result.errors > 0) throw new Error(`read errors: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

/** p50/p99 of the full list, sequential requests (one client), in ms. */
async function listLatency(base: string): Promise<{ p50: number; p99: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < LIST_REQUESTS; i++) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${base}/v2/apps`);
    const text = await res.text();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    bytes = text.length;
    if (!res.ok) throw new Error(`list answered ${res.status}`);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), bytes };
}

async function compareReads(base: string, stored: number): Promise<Record<string, number>> {
  // The bare route serves exactly the JSON Pacer returns for one app.
  const sample = await (await fetch(`${base}/v2/apps/bench/group-1/app-1`)).text();
  const file = path.join(os.tmpdir(), `pacer-bench-app-${process.pid}.json`);
  writeFileSync(file, sample);
  const barePort = await freePort();
  const bare = startNode('bench/bare-server.js', {}, [String(barePort), file]);
  try {
    await waitForHttp(`http://127.0.0.1:${barePort}/ping`);
    let k = 0;
    const randomApp = () => `/v2/apps/bench/group-${(k = (k + 7919) % stored) % 100}/app-${k}`;
    // Steady state: clients poll the apps they care about, so each app has been read before.
    // One pass over every app warms the per-replica cache; the measured run then reads them all again.
    await autocannon({ url: base, connections: CONNECTIONS, amount: stored, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: randomApp() }) }] });
    const pacerRps = await readThroughput(base, randomApp);
    const bareRps = await readThroughput(`http://127.0.0.1:${barePort}`, randomApp);
    const list = await listLatency(base);
    return { stored, pacerGetRps: pacerRps, bareRouteRps: bareRps, ratio: pacerRps / bareRps, listP50Ms: list.p50, listP99Ms: list.p99, listBytes: list.bytes };
  } finally {
    await stop(bare);
  }
}

async function main(): Promise<void> {
  const databaseUrl = await freshDatabase('pacer_bench');
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const port = await freePort();
  const pacer = startNode('src/main.js', {
    DATABASE_URL: databaseUrl,
    HTTP_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    MAX_RUNNING_DEPLOYMENTS: '100000',
    DATABASE_POOL_SIZE: '16',
    LOCAL_PORT_MAX: '60000',
    // The API alone is measured: no Mesos master runs here.
    SCHEDULER_ENABLED: 'false',
  }, [], (process.env.BENCH_PACER_NODE_ARGS ?? '').split(' ').filter(Boolean));
  const base = `http://127.0.0.1:${port}`;
  const buckets: Array<{ from: number; to: number; createsPerSecond: number; errors: number }> = [];
  const reads: Array<Record<string, number>> = [];
  try {
    await waitForHttp(`${base}/ping`);
    // Warm-up: 1,000 creates in a throwaway tree (JIT, connection pool, Postgres caches), then
    // removed from the store, so the measured run starts from 0 apps on a warm process.
    const warm = await createRange(base, 0, WARMUP, '/warmup');
    console.log(`warm-up: ${WARMUP} creates at ${warm.perSecond.toFixed(0)}/s (not counted)`);
    await db.query(`DELETE FROM apps WHERE id LIKE '/warmup/%'`);
    await db.query(`DELETE FROM app_versions WHERE app_id LIKE '/warmup/%'`);
    await db.query(`DELETE FROM service_ports WHERE app_id LIKE '/warmup/%'`);
    for (let from = 0; from < TOTAL; from += BUCKET) {
      const to = Math.min(TOTAL, from + BUCKET);
      // Plans are not executed yet (no scheduler in this issue), so every create leaves its
      // deployment stored; a real cluster finishes them. Forget the finished bucket's plans, as the
      // executor would, so the store holds what a live system holds: the apps and their versions.
      await db.query('DELETE FROM deployments');
      // A mass delete at once is the bench's shortcut; autovacuum keeps up with one-by-one deletes.
      await db.query('VACUUM deployments');
      const r = await createRange(base, from, to);
      buckets.push({ from, to, createsPerSecond: Math.round(r.perSecond), errors: r.errors });
      console.log(`creates ${from}..${to}: ${r.perSecond.toFixed(0)}/s (${r.errors} errors)`);
      if (to === 1_000 || to === TOTAL) {
        const m = await compareReads(base, to);
        reads.push(m);
        console.log(
          `at ${to} apps: GET /v2/apps/{id} ${m.pacerGetRps.toFixed(0)} req/s vs bare ${m.bareRouteRps.toFixed(0)} req/s ` +
            `(ratio ${m.ratio.toFixed(2)}); list p50 ${m.listP50Ms.toFixed(1)} ms, p99 ${m.listP99Ms.toFixed(1)} ms (${(m.listBytes / 1e6).toFixed(1)} MB)`,
        );
      }
    }
  } finally {
    await stop(pacer);
    await db.end();
  }
  const rates = buckets.map((b) => b.createsPerSecond);
  const summary = {
    machine: { cpus: os.cpus().length, node: process.version },
    settings: { total: TOTAL, warmup: WARMUP, connections: CONNECTIONS, readSeconds: READ_SECONDS, listRequests: LIST_REQUESTS },
    createBuckets: buckets,
    createsPerSecondFirstBucket: rates[0],
    createsPerSecondLastBucket: rates[rates.length - 1],
    reads,
  };
  console.log(`saved ${saveResult('api', summary)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
