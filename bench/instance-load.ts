import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Pool } from 'pg';
import { formatInstanceId, formatTaskId, type Instance } from '../src/core/instances';
import { createDataSource } from '../src/persistence/data-source';
import { InstanceStore, LOAD_PAGE, LOAD_PARALLEL, UPSERT_BATCH } from '../src/persistence/instance-store';
import { freshDatabase, saveResult } from './lib';

/**
 * Instance persistence: 100,000 instances over 1,000 apps written by the leader in batches
 * (writes/s), then loaded whole as a new leader does at start (instances/s; target ≥ 100,000/s),
 * with the heap and RSS growth per loaded instance. For comparison, the same records loaded from a
 * JSONB-document table (the design not taken) are timed too.
 */
const APPS = 1000;
const INSTANCES = 100_000;
const LOAD_RUNS = 5;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function instance(i: number): Instance {
  const appId = `/bench/group-${i % 10}/app-${i % APPS}`;
  const instanceId = formatInstanceId(appId, randomUUID());
  const t = Date.UTC(2026, 10, 22, 2, 0, 0) + i;
  const iso = (ms: number): string => new Date(t + ms).toISOString();
  const running = i % 10 !== 0;
  if (!running) {
    return { instanceId, appId, appVersion: '2026-11-22T01:00:00.000Z', goal: 'running', state: 'scheduled', incarnation: 0, hostPorts: [], createdAt: iso(0), stateSince: iso(0) };
  }
  return {
    instanceId, appId, appVersion: '2026-11-22T01:00:00.000Z', goal: 'running', state: 'TASK_RUNNING', incarnation: 1 + (i % 3),
    taskId: formatTaskId(instanceId, 1 + (i % 3)), agentId: `0c3f1d9a-4d8e-4b55-9b1e-5a7c2f8e${String(i % 100).padStart(4, '0')}-S${i % 100}`,
    host: `agent-${i % 100}.cluster.example`, hostPorts: [31000 + (i % 1000), 32000 + (i % 1000)], healthy: i % 7 !== 0,
    createdAt: iso(0), stateSince: iso(1500), stagedAt: iso(100), startedAt: iso(1500),
    lastStatus: { state: 'TASK_RUNNING', healthy: i % 7 !== 0, at: iso(1500) },
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function main(): Promise<void> {
  const url = await freshDatabase('pacer_bench_instances');
  const ds = createDataSource(url, 10); // Pacer's default DATABASE_POOL_SIZE
  await ds.initialize();
  const store = new InstanceStore(ds);
  const pool = (ds.driver as unknown as { master: Pool }).master;

  const all = Array.from({ length: INSTANCES }, (_, i) => instance(i));

  // Writes: the leader's batches, one statement (and commit) per batch of UPSERT_BATCH.
  let t0 = performance.now();
  for (let i = 0; i < all.length; i += UPSERT_BATCH) await store.upsertMany(all.slice(i, i + UPSERT_BATCH));
  const insertMs = performance.now() - t0;
  // The same 100,000 again as updates (ON CONFLICT DO UPDATE), e.g. after a round of status updates.
  const changed = all.map((x) => ({ ...x, stateSince: '2026-11-22T03:00:00.000Z' }));
  t0 = performance.now();
  for (let i = 0; i < changed.length; i += UPSERT_BATCH) await store.upsertMany(changed.slice(i, i + UPSERT_BATCH));
  const updateMs = performance.now() - t0;
  await ds.query('VACUUM ANALYZE instances');
  const tableBytes = Number((await ds.query(`SELECT pg_total_relation_size('instances') AS n`))[0].n);

  // Loads: what a new leader does at start.
  const loadMs: number[] = [];
  let heapPerInstance = 0;
  let rssPerInstance = 0;
  let loaded = 0;
  for (let run = 0; run < LOAD_RUNS; run++) {
    gc();
    const before = process.memoryUsage();
    t0 = performance.now();
    const xs = await store.loadAll();
    loadMs.push(performance.now() - t0);
    gc();
    const after = process.memoryUsage();
    loaded = xs.length;
    if (run === 0) {
      heapPerInstance = (after.heapUsed - before.heapUsed) / xs.length;
      rssPerInstance = (after.rss - before.rss) / xs.length;
    }
    if (xs.length !== INSTANCES) throw new Error(`loaded ${xs.length}, expected ${INSTANCES}`);
  }

  // The alternative: the whole record as one JSONB document per row, parsed with JSON.parse.
  await ds.query(`CREATE TABLE instances_doc (instance_id text COLLATE "C" PRIMARY KEY, app_id text NOT NULL, doc jsonb NOT NULL)`);
  for (let i = 0; i < changed.length; i += UPSERT_BATCH) {
    const b = changed.slice(i, i + UPSERT_BATCH);
    await ds.query(`INSERT INTO instances_doc SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])`, [b.map((x) => x.instanceId), b.map((x) => x.appId), b.map((x) => JSON.stringify(x))]);
  }
  await ds.query('VACUUM ANALYZE instances_doc');
  const docMs: number[] = [];
  for (let run = 0; run < LOAD_RUNS; run++) {
    const client = await pool.connect();
    t0 = performance.now();
    const out: Instance[] = [];
    let after = '';
    for (;;) {
      const res = await client.query<[string, string]>({
        text: `SELECT instance_id, doc::text FROM instances_doc WHERE instance_id > $1 ORDER BY instance_id LIMIT $2`,
        values: [after, LOAD_PAGE], rowMode: 'array', types: { getTypeParser: () => (v: string): string => v },
      });
      for (const r of res.rows) out.push(JSON.parse(r[1]) as Instance);
      if (res.rows.length < LOAD_PAGE) break;
      after = res.rows[res.rows.length - 1][0];
    }
    docMs.push(performance.now() - t0);
    client.release();
    if (out.length !== INSTANCES) throw new Error(`jsonb: loaded ${out.length}`);
  }
  await ds.query('DROP TABLE instances_doc');

  const loadPerSecond = Math.round(INSTANCES / (median(loadMs) / 1000));
  const result = {
    benchmark: 'instance-load',
    description:
      `${INSTANCES} instances over ${APPS} apps (90 % running with task, agent, host, 2 ports, health, last status; 10 % scheduled) ` +
      `written with InstanceStore.upsertMany in batches of ${UPSERT_BATCH} (one statement and commit each), then loaded whole with ` +
      `InstanceStore.loadAll (keyset pages of ${LOAD_PAGE}, one packed text per row, up to ${LOAD_PARALLEL} key ranges read in parallel in one snapshot), local Postgres on the same 2-core machine, one Node process`,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    instances: INSTANCES,
    apps: APPS,
    writes: {
      insert_per_second: Math.round(INSTANCES / (insertMs / 1000)),
      update_per_second: Math.round(INSTANCES / (updateMs / 1000)),
      insert_ms: Math.round(insertMs),
      update_ms: Math.round(updateMs),
      table_mb_with_index: mb(tableBytes),
    },
    load: {
      instances_per_second_median: loadPerSecond,
      target_per_second: 100_000,
      meets_target: loadPerSecond >= 100_000,
      ms_runs: loadMs.map((x) => Math.round(x)),
      loaded,
      heap_bytes_per_instance: Math.round(heapPerInstance),
      rss_bytes_per_instance: Math.round(rssPerInstance),
    },
    alternative_jsonb_document: {
      note: 'same records as one JSONB column per row, loaded with doc::text + JSON.parse (not the stored design)',
      instances_per_second_median: Math.round(INSTANCES / (median(docMs) / 1000)),
      ms_runs: docMs.map((x) => Math.round(x)),
    },
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`saved ${saveResult('instance-load', result)}`);
  await ds.destroy();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
