// Issue 5: Pacer's resident memory with 10,000 apps and 100,000 instances running on simulated
// local-mesos agents (10,000 apps × 10 instances of `sleep 3600`, cpus 0.01, mem 8, no ports; 500
// agents with big resources). The apps are created through the API (POST /v2/apps, 32 at a time);
// once every task runs (Pacer's instances table counts 100,000 TASK_RUNNING, the master holds
// 100,000 tasks, and a final GET /state shows them all TASK_RUNNING) and no deployment is left, the
// system is left to settle, then VmRSS of the Pacer process is read from /proc/<pid>/status (and
// heap figures from its /metrics). Target ≤ 500 MB. Also reported: how long creating and converging
// took, and — after those figures — VmRSS and heap after forced full GCs in Pacer (Pacer runs with
// --expose-gc and bench/converge-profile.js preloaded for that; PACER_HEAP_SNAPSHOT_DIR=<dir> adds a
// heap snapshot, PACER_CPU_PROFILE=<file> a CPU profile, BENCH_MIDBURST_GC=1 the same report right
// after the last create, BENCH_GC_PROGRESS=1 the live heap every 5 s). BENCH_RUNS=3 repeats the whole run (fresh database and processes each time).
//   npm run build && node dist/bench/converge-memory.js
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { saveResult } from './lib';
import { databaseActivity, machine, mesosTaskCounts, PACER_DEFAULTS, pacerMemory, postJson, range, round, RUNS, repeat, rssKbOf, schedulerKnobs, sleep, sleeperApp, startCluster, until, type Cluster } from './converge-lib';

const APPS = Number(process.env.BENCH_APPS ?? 10_000);
const PER_APP = Number(process.env.BENCH_INSTANCES_PER_APP ?? 10);
const TOTAL = APPS * PER_APP;
const AGENTS = Number(process.env.BENCH_AGENTS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ALLOCATION_INTERVAL = process.env.BENCH_ALLOCATION_INTERVAL ?? '1s';
/** Quiet time after convergence before memory is read. */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 15_000);
const CONVERGE_TIMEOUT_MS = Number(process.env.BENCH_CONVERGE_TIMEOUT_MS ?? 15 * 60_000);
const TARGET_MB = 500;

const appId = (i: number): string => `/bench/g${i % 100}/app-${i}`;

interface Run {
  secondsCreating: number;
  createsPerSecond: number;
  createErrors: number;
  /** from the first POST to Pacer's table holding every task TASK_RUNNING */
  secondsFirstPostToAllRunning: number;
  /** from the last POST answer to the same */
  secondsLastPostToAllRunning: number;
  secondsFirstPostToNoDeployment: number;
  memoryIdleMb: number;
  memoryAtAllRunning: Awaited<ReturnType<typeof pacerMemory>>;
  memoryPeakVmRssMb: number;
  memorySettled: Awaited<ReturnType<typeof pacerMemory>>;
  settledSamplesVmRssMb: number[];
  /** diagnostics, after the figures: VmRSS and heap after full garbage collections in Pacer */
  afterForcedGc: unknown;
  /** BENCH_MIDBURST_GC=1 only: the same right after the last create was answered */
  midBurstForcedGc: unknown;
  /** Postgres statistics of the run's database (transactions; rows written and scanned per table) */
  databaseActivity: Record<string, unknown>;
  masterRssMb: number;
  /** every 5 s: [seconds, Pacer's RUNNING records, master's tasks, Pacer VmRSS MB, live heap MB after forced GCs (BENCH_GC_PROGRESS=1 only)] */
  progress: Array<[number, number, number, number, number | null]>;
}

async function createAll(c: Cluster): Promise<{ errors: number; firstError?: string }> {
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (next < APPS) {
      const i = next++;
      // Bounded retries: a create that fails for a passing reason (e.g. a dropped connection) is sent again.
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await postJson(`${c.base}/v2/apps`, sleeperApp(appId(i), PER_APP));
          if (r.status === 201) break;
          if (attempt >= 2) throw new Error(`POST ${appId(i)} answered ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
        } catch (e) {
          if (attempt >= 2) {
            errors++;
            firstError ??= (e as Error).message;
            break;
          }
          await sleep(200);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return firstError === undefined ? { errors } : { errors, firstError };
}

const GC_REPORT = path.join(os.tmpdir(), `pacer-bench-gc-${process.pid}.json`);

/** Asks the preloaded converge-profile.js for its report (SIGURG: Nest's shutdown hooks take SIGUSR2 and SIGHUP), bounded. */
async function forcedGc(pacer: ChildProcess): Promise<unknown> {
  fs.rmSync(GC_REPORT, { force: true });
  pacer.kill('SIGURG');
  try {
    const report = await until('the GC report', Number(process.env.BENCH_GC_REPORT_WAIT_MS ?? 120_000), 200, async () =>
      fs.existsSync(GC_REPORT) ? (JSON.parse(fs.readFileSync(GC_REPORT, 'utf8')) as unknown) : undefined,
    );
    return report;
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    fs.rmSync(GC_REPORT, { force: true });
  }
}

async function once(): Promise<Run> {
  const mesosArgs = ['--simulate', '--agents', String(AGENTS), '--cpus', '1000', '--mem', '10000000', '--allocation-interval', ALLOCATION_INTERVAL];
  // --expose-gc and the preload only serve the forced-GC diagnostics taken after the figures.
  const c = await startCluster({
    mesosArgs,
    pacerEnv: { PACER_GC_REPORT: GC_REPORT },
    pacerNodeArgs: ['--expose-gc', '--require', path.join(__dirname, 'converge-profile.js')],
  });
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssKbOf(c.pacer.pid!));
    } catch {
      // exited
    }
  }, 250);
  try {
    await sleep(2000);
    const idle = await pacerMemory(c);
    console.log(`Pacer idle (subscribed, no apps): VmRSS ${idle.vmRssMb} MB, heap used ${idle.heapUsedMb} MB`);
    const t0 = Date.now();
    const progress: Array<[number, number, number, number, number | null]> = [];
    let stopProgress = false;
    // Progress every 5 s: Pacer's RUNNING records and the master's task count.
    const progressLoop = (async () => {
      while (!stopProgress) {
        await sleep(5000);
        if (stopProgress) break;
        try {
          const r = await c.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM instances WHERE state = 'TASK_RUNNING'`);
          const m = (await (await fetch(`${c.mesos.url}/state?tasks=false`)).json()) as { task_count: number };
          const rssMb = Math.round(rssKbOf(c.pacer.pid!) / 1024);
          // Diagnostics (off by default: a full GC every 5 s slows Pacer): live heap along the way.
          const live = process.env.BENCH_GC_PROGRESS ? ((await forcedGc(c.pacer)) as { after?: { heapUsed?: number } }).after?.heapUsed ?? null : null;
          progress.push([Math.round((Date.now() - t0) / 1000), Number(r.rows[0].n), m.task_count, rssMb, live]);
          console.log(
            `  ${Math.round((Date.now() - t0) / 1000)} s: Pacer ${r.rows[0].n} RUNNING, master ${m.task_count} tasks, Pacer VmRSS ${rssMb} MB (peak so far ${Math.round(peak / 1024)} MB)` +
              (live === null ? '' : `, live heap ${live} MB`),
          );
        } catch (e) {
          console.error(`progress: ${(e as Error).message}`);
        }
      }
    })();
    let allRunning = 0;
    let t1 = 0;
    let created: { errors: number; firstError?: string };
    let midBurst: unknown = null;
    try {
      created = await createAll(c);
      t1 = Date.now();
      console.log(`created ${APPS} apps in ${((t1 - t0) / 1000).toFixed(1)} s (${Math.round(APPS / ((t1 - t0) / 1000))}/s, ${created.errors} errors${created.firstError ? `; first: ${created.firstError}` : ''})`);
      if (created.errors > 0) throw new Error(`${created.errors} creates failed`);
      if (process.env.BENCH_MIDBURST_GC) {
        // Diagnostics (off by default, it stalls Pacer for a while): what is live while every plan is
        // stored and the launches are under way, as opposed to garbage.
        midBurst = await forcedGc(c.pacer);
        console.log(`after the last create, after forced full GCs: ${JSON.stringify((midBurst as { after?: unknown }).after ?? midBurst)}`);
      }
      allRunning = await until(`${TOTAL} tasks RUNNING`, CONVERGE_TIMEOUT_MS, 500, async () => {
        const r = await c.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM instances WHERE state = 'TASK_RUNNING'`);
        if (Number(r.rows[0].n) < TOTAL) return undefined;
        const m = (await (await fetch(`${c.mesos.url}/state?tasks=false`)).json()) as { task_count: number };
        return m.task_count >= TOTAL ? Date.now() : undefined;
      });
    } finally {
      stopProgress = true;
      await progressLoop;
    }
    const atAll = await pacerMemory(c);
    console.log(`all ${TOTAL} RUNNING (Pacer's records, master task count) ${((allRunning - t0) / 1000).toFixed(1)} s after the first POST; VmRSS ${atAll.vmRssMb} MB`);
    const { running } = await mesosTaskCounts(c.mesos.url);
    if (running !== TOTAL) throw new Error(`GET /state shows ${running} TASK_RUNNING, expected ${TOTAL}`);
    const noDeployment = await until('no deployment left', 5 * 60_000, 500, async () => {
      const ds = (await (await fetch(`${c.base}/v2/deployments`)).json()) as unknown[];
      return ds.length === 0 ? Date.now() : undefined;
    });
    console.log(`no deployment left ${((noDeployment - t0) / 1000).toFixed(1)} s after the first POST; settling ${SETTLE_MS / 1000} s`);
    await sleep(SETTLE_MS);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      samples.push((await pacerMemory(c)).vmRssMb);
      await sleep(1000);
    }
    const settled = await pacerMemory(c);
    // Then (figures above already taken): full GCs in Pacer, to tell live data from collectable garbage.
    const gc = await forcedGc(c.pacer);
    const masterRssMb = Math.round(c.mesos.rssKb() / 102.4) / 10;
    // Statistics are flushed by backends at transaction end (at most once a second when busy).
    const db = await databaseActivity(c.db);
    return {
      secondsCreating: round((t1 - t0) / 1000, 1),
      createsPerSecond: Math.round(APPS / ((t1 - t0) / 1000)),
      createErrors: created.errors,
      secondsFirstPostToAllRunning: round((allRunning - t0) / 1000, 1),
      secondsLastPostToAllRunning: round((allRunning - t1) / 1000, 1),
      secondsFirstPostToNoDeployment: round((noDeployment - t0) / 1000, 1),
      memoryIdleMb: idle.vmRssMb,
      memoryAtAllRunning: atAll,
      memoryPeakVmRssMb: Math.round(peak / 102.4) / 10,
      memorySettled: settled,
      settledSamplesVmRssMb: samples,
      afterForcedGc: gc,
      midBurstForcedGc: midBurst,
      databaseActivity: db,
      masterRssMb,
      progress,
    };
  } finally {
    clearInterval(sampler);
    await c.close();
  }
}

async function main(): Promise<void> {
  const info = machine();
  const { runs, failures, loadAtRunStart } = await repeat(once, (r, i) => {
    console.log(
      `run ${i + 1}/${RUNS}: ${APPS} apps × ${PER_APP} = ${TOTAL} instances: Pacer VmRSS settled ${r.memorySettled.vmRssMb} MB ` +
        `(heap used ${r.memorySettled.heapUsedMb} MB of ${r.memorySettled.heapTotalMb} MB; idle ${r.memoryIdleMb} MB; at all-running ${r.memoryAtAllRunning.vmRssMb} MB; peak ${r.memoryPeakVmRssMb} MB); ` +
        `creating ${r.secondsCreating} s (${r.createsPerSecond}/s), all RUNNING ${r.secondsFirstPostToAllRunning} s after the first POST ` +
        `(${r.secondsLastPostToAllRunning} s after the last), no deployment left after ${r.secondsFirstPostToNoDeployment} s; ` +
        `after forced full GCs: ${JSON.stringify((r.afterForcedGc as { after?: unknown }).after ?? r.afterForcedGc)}`,
    );
  });
  const rss = runs.map((r) => r.memorySettled.vmRssMb);
  const summary = {
    benchmark: 'converge-memory',
    machine: info,
    settings: {
      apps: APPS,
      instancesPerApp: PER_APP,
      instances: TOTAL,
      app: sleeperApp('/bench/g<i % 100>/app-<i>', PER_APP),
      createConcurrency: CONCURRENCY,
      localMesos: { agents: AGENTS, cpusPerAgent: 1000, memPerAgentMb: 10_000_000, allocationInterval: ALLOCATION_INTERVAL, simulate: true },
      pacerEnv: { ...PACER_DEFAULTS, ...schedulerKnobs() },
      pacerNodeArgs: `--expose-gc --require dist/bench/converge-profile.js (only for the forced-GC report taken after the figures) ${process.env.BENCH_PACER_NODE_ARGS ?? ''}`.trim(),
      settleMs: SETTLE_MS,
      pacerMallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null,
      signal:
        "all RUNNING: Pacer's instances table counts every instance TASK_RUNNING and the master holds every task (polled every 500 ms), then one GET /state confirms every task TASK_RUNNING; memory: VmRSS of the Pacer process after no deployment is left and the settle time",
      runs: RUNS,
    },
    target_mb: TARGET_MB,
    pacer_vm_rss_settled_mb: range(rss),
    pacer_heap_used_settled_mb: range(runs.map((r) => r.memorySettled.heapUsedMb ?? NaN)),
    pacer_vm_rss_peak_mb: range(runs.map((r) => r.memoryPeakVmRssMb)),
    pacer_after_forced_gc_vm_rss_mb: range(runs.map((r) => (r.afterForcedGc as { after?: { vmRssMb?: number } }).after?.vmRssMb ?? NaN)),
    pacer_after_forced_gc_heap_used_mb: range(runs.map((r) => (r.afterForcedGc as { after?: { heapUsed?: number } }).after?.heapUsed ?? NaN)),
    seconds_creating: range(runs.map((r) => r.secondsCreating)),
    seconds_first_post_to_all_running: range(runs.map((r) => r.secondsFirstPostToAllRunning)),
    meets_target: Math.max(...rss) <= TARGET_MB,
    loadAtRunStart,
    runs,
    failures,
    measured_at: new Date().toISOString(),
  };
  console.log(`Pacer VmRSS with ${APPS} apps / ${TOTAL} instances running: ${summary.pacer_vm_rss_settled_mb.min}–${summary.pacer_vm_rss_settled_mb.max} MB over ${RUNS} run(s) (target ≤ ${TARGET_MB} MB)`);
  // BENCH_RESULT_NAME=converge-memory-<variant> keeps a variant's figures (e.g. other Node flags) apart.
  console.log(`saved ${saveResult(process.env.BENCH_RESULT_NAME ?? 'converge-memory', summary)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
