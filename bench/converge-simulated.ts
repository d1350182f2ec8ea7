// Issue 5: one app scaled 0 → 10,000 instances on simulated local-mesos agents (100 agents, big
// resources), measured from the POST /v2/apps answer until the master reports all 10,000 tasks
// TASK_RUNNING (GET /state once the task count is complete), and the launch rate of the first tenth
// (first 1,000 RUNNING) against the last tenth (last 1,000). Targets: total ≤ 15 s, last-tenth rate
// ≥ 80 % of the first-tenth rate.
//
// The tenths are timed on the master: its task count sampled every 50 ms (GET /state?tasks=false,
// cheap; simulated agents report RUNNING synchronously at launch, so with no failure share every
// task on an agent is RUNNING), interpolated between samples. Pacer's side is reported next to it:
// its RUNNING records (instances table, every 100 ms; tasksRunning is counted from them) and their
// started_at (when Pacer applied each TASK_RUNNING; one value per batch of updates, too coarse for
// rates).
// BENCH_RUNS=3 repeats the whole run (fresh database and processes each time).
//   npm run build && node dist/bench/converge-simulated.js
import { saveResult } from './lib';
import { apiTasksRunning, databaseActivity, machine, pacerRunning, sleep, mesosTaskCounts, PACER_DEFAULTS, postJson, range, round, RUNS, repeat, schedulerKnobs, sleeperApp, startCluster, startedAtMs, until } from './converge-lib';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 10_000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 100);
const ALLOCATION_INTERVAL = process.env.BENCH_ALLOCATION_INTERVAL ?? '1s';
const POLL_MS = 250;
const FINE_POLL_MS = 50;
const TARGET_SECONDS = 15;
const TARGET_RATIO = 0.8;
const APP_ID = '/bench/converge-simulated';

interface Run {
  secondsPostToAllRunning: number;
  secondsPostToFirstRunning: number;
  /** Pacer's instances table: every instance TASK_RUNNING */
  secondsPostToPacerTasksRunning: number | null;
  /** GET /v2/apps/{id} tasksRunning, once, after the above */
  apiTasksRunningAtEnd: number | null;
  secondsPostToLastStartedAt: number;
  secondsPostToDeploymentDone: number | null;
  /** the k-th task RUNNING on the master (1st, 10 %, 90 %, last), seconds after the POST answer */
  masterRunningSeconds: { first: number; tenth: number; ninetieth: number; last: number };
  /** when Pacer's RUNNING records crossed 10 % and 90 % */
  pacerTasksRunningSeconds: { tenth: number | null; ninetieth: number | null };
  /** Pacer's startedAt records (when it applied each TASK_RUNNING; one value per update batch) */
  startedAtSeconds: { first: number; tenth: number; ninetieth: number; last: number };
  distinctStartedAtValues: number;
  firstTenthPerSecond: number;
  lastTenthPerSecond: number;
  lastToFirstRatio: number;
  /** the same from the first RUNNING instead of the POST answer (excludes the first offer's latency) */
  firstTenthFromFirstRunningPerSecond: number;
  lastToFirstRatioFromFirstRunning: number;
  stateFetchMsMax: number;
  /** Postgres statistics of the run's database (transactions; rows written and scanned per table) */
  databaseActivity: Record<string, unknown>;
  timeline: Array<[number, number]>;
  pacerTimeline: Array<[number, number]>;
}

/** Ms at which the k-th (1-based) task ran by a sampled timeline [ms, count], linearly interpolated. */
function crossingMs(timeline: Array<[number, number]>, k: number): number | null {
  for (let i = 0; i < timeline.length; i++) {
    const [t1, n1] = timeline[i];
    if (n1 < k) continue;
    if (i === 0) return t1;
    const [t0, n0] = timeline[i - 1];
    return t0 + ((k - n0) / Math.max(1, n1 - n0)) * (t1 - t0);
  }
  return null;
}

async function once(): Promise<Run> {
  const mesosArgs = ['--simulate', '--agents', String(AGENTS), '--cpus', '1000', '--mem', '10000000', '--allocation-interval', ALLOCATION_INTERVAL];
  const c = await startCluster({ mesosArgs });
  try {
    const created = await postJson(`${c.base}/v2/apps`, sleeperApp(APP_ID, INSTANCES));
    const t0 = Date.now();
    if (created.status !== 201) throw new Error(`POST /v2/apps answered ${created.status}: ${JSON.stringify(created.json)}`);
    // Samplers: the master's task count every 50 ms (GET /state?tasks=false, which leaves the task
    // list out and so costs the master little; simulated agents report STARTING and RUNNING
    // synchronously at launch, so with no failure share a task on an agent is a RUNNING task: the
    // launch timeline the tenths are timed with) and Pacer's RUNNING records every 100 ms (in Postgres:
    // GET /v2/apps/{id} embeds all 10,000 tasks and polling it would load the process measured). Once the count
    // is complete, the full GET /state decides "all RUNNING" (every task's state checked); it is not
    // polled before, as serializing 10,000 tasks every few hundred ms would slow the master down.
    const timeline: Array<[number, number]> = [];
    const pacerTimeline: Array<[number, number]> = [];
    let sampling = true;
    let counted!: () => void;
    const allCounted = new Promise<void>((r) => (counted = r));
    const sampler = (async () => {
      while (sampling) {
        const m = (await (await fetch(`${c.mesos.url}/state?tasks=false`)).json()) as { task_count: number };
        timeline.push([Date.now() - t0, m.task_count]);
        if (m.task_count >= INSTANCES) counted();
        await sleep(FINE_POLL_MS);
      }
    })();
    const pacerSampler = (async () => {
      while (sampling) {
        const n = await pacerRunning(c.db, APP_ID);
        pacerTimeline.push([Date.now() - t0, n]);
        if (n === INSTANCES) return;
        await sleep(100);
      }
    })();
    let fetchMax = 0;
    let allRunning: number;
    try {
      await Promise.race([allCounted, sleep(120_000)]);
      allRunning = await until(`${INSTANCES} tasks RUNNING`, 30_000, POLL_MS, async () => {
        const f0 = Date.now();
        const { running } = await mesosTaskCounts(c.mesos.url);
        const now = Date.now();
        fetchMax = Math.max(fetchMax, now - f0);
        return running === INSTANCES ? now : undefined;
      });
      console.log(`all ${INSTANCES} RUNNING (local-mesos /state) ${((allRunning - t0) / 1000).toFixed(2)} s after the POST answer`);
      await Promise.race([pacerSampler, sleep(60_000)]);
    } finally {
      sampling = false;
      await Promise.allSettled([sampler, pacerSampler]);
    }
    const pacerDone = pacerTimeline.find(([, n]) => n === INSTANCES);
    const pacerAll = pacerDone === undefined ? null : t0 + pacerDone[0];
    if (pacerAll === null) console.error('Pacer did not record every task running within 60 s');
    const apiRunning = await apiTasksRunning(c.base, APP_ID);
    let deploymentDone: number | null = null;
    await until('the deployment to finish', 60_000, 100, async () => {
      const ds = (await (await fetch(`${c.base}/v2/deployments`)).json()) as unknown[];
      return ds.length === 0 ? (deploymentDone = Date.now()) : undefined;
    }).catch((e: Error) => console.error(`deployment: ${e.message}`));
    const s = await until(`${INSTANCES} startedAt records`, 60_000, 250, async () => {
      const x = await startedAtMs(c.db);
      return x.length >= INSTANCES ? x : undefined;
    });
    const db = await databaseActivity(c.db);
    const tenth = Math.floor(INSTANCES / 10);
    const firstRunning = t0 + (timeline.find(([, n]) => n > 0)?.[0] ?? NaN);
    // Master-side crossings (ms after the POST answer), interpolated between 20 ms samples.
    const k1 = crossingMs(timeline, 1)!;
    const kTenth = crossingMs(timeline, tenth)!;
    const kNinetieth = crossingMs(timeline, INSTANCES - tenth)!;
    const kAll = crossingMs(timeline, INSTANCES)!;
    const firstRate = tenth / (Math.max(1, kTenth) / 1000);
    const firstRateFromFirst = (tenth - 1) / (Math.max(1, kTenth - k1) / 1000);
    const lastRate = tenth / (Math.max(1, kAll - kNinetieth) / 1000);
    const pacerTenth = crossingMs(pacerTimeline, tenth);
    const pacerNinetieth = crossingMs(pacerTimeline, INSTANCES - tenth);
    return {
      secondsPostToAllRunning: round((allRunning - t0) / 1000),
      apiTasksRunningAtEnd: apiRunning ?? null,
      secondsPostToFirstRunning: round((firstRunning - t0) / 1000),
      secondsPostToPacerTasksRunning: pacerAll === null ? null : round((pacerAll - t0) / 1000),
      secondsPostToLastStartedAt: round((s[INSTANCES - 1] - t0) / 1000),
      secondsPostToDeploymentDone: deploymentDone === null ? null : round((deploymentDone - t0) / 1000),
      masterRunningSeconds: { first: round(k1 / 1000, 3), tenth: round(kTenth / 1000, 3), ninetieth: round(kNinetieth / 1000, 3), last: round(kAll / 1000, 3) },
      pacerTasksRunningSeconds: { tenth: pacerTenth === null ? null : round(pacerTenth / 1000, 3), ninetieth: pacerNinetieth === null ? null : round(pacerNinetieth / 1000, 3) },
      startedAtSeconds: { first: round((s[0] - t0) / 1000, 3), tenth: round((s[tenth - 1] - t0) / 1000, 3), ninetieth: round((s[INSTANCES - tenth - 1] - t0) / 1000, 3), last: round((s[INSTANCES - 1] - t0) / 1000, 3) },
      distinctStartedAtValues: new Set(s).size,
      firstTenthPerSecond: Math.round(firstRate),
      lastTenthPerSecond: Math.round(lastRate),
      lastToFirstRatio: round(lastRate / firstRate),
      firstTenthFromFirstRunningPerSecond: Math.round(firstRateFromFirst),
      lastToFirstRatioFromFirstRunning: round(lastRate / firstRateFromFirst),
      stateFetchMsMax: fetchMax,
      databaseActivity: db,
      timeline,
      pacerTimeline,
    };
  } finally {
    await c.close();
  }
}

async function main(): Promise<void> {
  const info = machine();
  const { runs, failures, loadAtRunStart } = await repeat(once, (r, i) => {
    const tenth = Math.floor(INSTANCES / 10);
    console.log(
      `run ${i + 1}/${RUNS}: 0 → ${INSTANCES} RUNNING in ${r.secondsPostToAllRunning} s (first RUNNING after ${r.secondsPostToFirstRunning} s; ` +
        `Pacer's records all RUNNING after ${r.secondsPostToPacerTasksRunning} s (API tasksRunning then: ${r.apiTasksRunningAtEnd}); deployment done after ${r.secondsPostToDeploymentDone} s)\n` +
        `  master: 1st RUNNING ${r.masterRunningSeconds.first} s, ${tenth}th ${r.masterRunningSeconds.tenth} s, ${INSTANCES - tenth}th ${r.masterRunningSeconds.ninetieth} s, last ${r.masterRunningSeconds.last} s\n` +
        `  first tenth ${r.firstTenthPerSecond}/s (from the POST answer), last tenth ${r.lastTenthPerSecond}/s: ratio ${r.lastToFirstRatio} ` +
        `(first tenth from the first RUNNING: ${r.firstTenthFromFirstRunningPerSecond}/s, ratio ${r.lastToFirstRatioFromFirstRunning})\n` +
        `  Pacer: RUNNING records ≥ ${tenth} at ${r.pacerTasksRunningSeconds.tenth} s, ≥ ${INSTANCES - tenth} at ${r.pacerTasksRunningSeconds.ninetieth} s; ` +
        `startedAt 1st ${r.startedAtSeconds.first} s … last ${r.startedAtSeconds.last} s (${r.distinctStartedAtValues} distinct values); GET /state took ≤ ${r.stateFetchMsMax} ms`,
    );
  });
  const all = runs.map((r) => r.secondsPostToAllRunning);
  const ratios = runs.map((r) => r.lastToFirstRatio);
  const summary = {
    benchmark: 'converge-simulated',
    machine: info,
    settings: {
      instances: INSTANCES,
      app: sleeperApp(APP_ID, INSTANCES),
      localMesos: { agents: AGENTS, cpusPerAgent: 1000, memPerAgentMb: 10_000_000, allocationInterval: ALLOCATION_INTERVAL, simulate: true },
      pacerEnv: { ...PACER_DEFAULTS, ...schedulerKnobs() },
      pacerNodeArgs: process.env.BENCH_PACER_NODE_ARGS ?? '',
      signal: `all RUNNING: local-mesos GET /state tasks[].state === TASK_RUNNING, from the POST /v2/apps answer; polled once the task count (GET /state?tasks=false, every ${FINE_POLL_MS} ms) is complete; tenths: that task count, interpolated`,
      runs: RUNS,
    },
    target_seconds: TARGET_SECONDS,
    target_last_to_first_ratio: TARGET_RATIO,
    seconds_post_to_all_running: range(all),
    first_tenth_per_second: range(runs.map((r) => r.firstTenthPerSecond)),
    last_tenth_per_second: range(runs.map((r) => r.lastTenthPerSecond)),
    last_to_first_ratio: range(ratios),
    last_to_first_ratio_from_first_running: range(runs.map((r) => r.lastToFirstRatioFromFirstRunning)),
    meets_target_seconds: Math.max(...all) <= TARGET_SECONDS,
    meets_target_ratio: Math.min(...ratios) >= TARGET_RATIO,
    loadAtRunStart,
    runs,
    failures,
    measured_at: new Date().toISOString(),
  };
  console.log(
    `0 → ${INSTANCES} RUNNING: ${summary.seconds_post_to_all_running.min}–${summary.seconds_post_to_all_running.max} s (target ≤ ${TARGET_SECONDS} s); ` +
      `last/first tenth rate ${summary.last_to_first_ratio.min}–${summary.last_to_first_ratio.max} (target ≥ ${TARGET_RATIO}) over ${RUNS} run(s)`,
  );
  console.log(`saved ${saveResult('converge-simulated', summary)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
