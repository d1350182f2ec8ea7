// Issue 5: one app scaled 0 → 1,000 instances of `sleep 3600` (cpus 0.01, mem 8, no ports) on
// local-mesos with real processes (3 agents), measured from the POST /v2/apps answer until the master
// reports all 1,000 tasks TASK_RUNNING (GET /state, polled every 100 ms). Target ≤ 20 s (Marathon's
// own scale test: 38.5 s for 500). Then DELETE the app and time until no task and no task process
// is left. BENCH_RUNS=3 repeats the whole run (fresh database and processes each time).
//   npm run build && node dist/bench/converge-real.js
import { saveResult } from './lib';
import { apiTasksRunning, childProcessCount, pacerRunning, machine, mesosTaskCounts, PACER_DEFAULTS, postJson, range, round, RUNS, repeat, schedulerKnobs, sleeperApp, startCluster, startedAtMs, until } from './converge-lib';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 3);
const ALLOCATION_INTERVAL = process.env.BENCH_ALLOCATION_INTERVAL ?? '1s';
const POLL_MS = 100;
const TARGET_SECONDS = 20;
const APP_ID = '/bench/converge-real';

interface Run {
  secondsPostToAllRunning: number;
  secondsPostToFirstRunning: number;
  /** Pacer's instances table: every instance TASK_RUNNING */
  secondsPostToPacerTasksRunning: number | null;
  /** GET /v2/apps/{id} tasksRunning, once, after the above */
  apiTasksRunningAtEnd: number | null;
  secondsPostToLastStartedAt: number;
  secondsPostToDeploymentDone: number | null;
  secondsDeleteToNoTask: number;
  secondsDeleteToNoProcess: number;
  runningPerSecond: number;
  timeline: Array<[number, number]>;
}

async function once(): Promise<Run> {
  const mesosArgs = ['--agents', String(AGENTS), '--cpus', '16', '--mem', '65536', '--allocation-interval', ALLOCATION_INTERVAL];
  const c = await startCluster({ mesosArgs });
  try {
    const created = await postJson(`${c.base}/v2/apps`, sleeperApp(APP_ID, INSTANCES));
    const t0 = Date.now();
    if (created.status !== 201) throw new Error(`POST /v2/apps answered ${created.status}: ${JSON.stringify(created.json)}`);
    const timeline: Array<[number, number]> = [];
    let firstRunning = 0;
    let pacerAll: number | null = null;
    let deploymentDone: number | null = null;
    const allRunning = await until(`${INSTANCES} tasks RUNNING`, 120_000, POLL_MS, async () => {
      const { running } = await mesosTaskCounts(c.mesos.url);
      const now = Date.now();
      timeline.push([now - t0, running]);
      if (running > 0 && firstRunning === 0) firstRunning = now;
      if (pacerAll === null && (await pacerRunning(c.db, APP_ID)) === INSTANCES) pacerAll = Date.now();
      return running === INSTANCES ? now : undefined;
    });
    console.log(`all ${INSTANCES} RUNNING (local-mesos /state) ${((allRunning - t0) / 1000).toFixed(2)} s after the POST answer`);
    // Pacer's view: its RUNNING records (what tasksRunning counts; read in Postgres, as GET
    // /v2/apps/{id} embeds every task and polling it would load the process measured).
    await until('Pacer to record every task running', 60_000, POLL_MS, async () => {
      if (pacerAll === null && (await pacerRunning(c.db, APP_ID)) === INSTANCES) pacerAll = Date.now();
      return pacerAll !== null ? true : undefined;
    }).catch((e: Error) => console.error(`Pacer records: ${e.message}`));
    const apiRunning = await apiTasksRunning(c.base, APP_ID);
    await until('the deployment to finish', 60_000, POLL_MS, async () => {
      const ds = (await (await fetch(`${c.base}/v2/deployments`)).json()) as unknown[];
      return ds.length === 0 ? (deploymentDone = Date.now()) : undefined;
    }).catch((e: Error) => console.error(`deployment: ${e.message}`));
    const started = await until(`${INSTANCES} startedAt records`, 30_000, 200, async () => {
      const s = await startedAtMs(c.db);
      return s.length >= INSTANCES ? s : undefined;
    });

    const deleted = await postJson(`${c.base}/v2/apps${APP_ID}`, undefined, 'DELETE');
    const t1 = Date.now();
    if (deleted.status !== 200) throw new Error(`DELETE answered ${deleted.status}: ${JSON.stringify(deleted.json)}`);
    const noTask = await until('no task left on the master', 120_000, POLL_MS, async () => {
      const s = (await (await fetch(`${c.mesos.url}/state?tasks=false`)).json()) as { task_count: number };
      return s.task_count === 0 ? Date.now() : undefined;
    });
    const noProcess = await until('no task process left', 30_000, POLL_MS, async () => (childProcessCount(c.mesos.child.pid!) === 0 ? Date.now() : undefined));
    console.log(`DELETE: no task ${((noTask - t1) / 1000).toFixed(2)} s, no process ${((noProcess - t1) / 1000).toFixed(2)} s after the answer`);

    const seconds = (allRunning - t0) / 1000;
    return {
      secondsPostToAllRunning: round(seconds),
      secondsPostToFirstRunning: round((firstRunning - t0) / 1000),
      secondsPostToPacerTasksRunning: pacerAll === null ? null : round((pacerAll - t0) / 1000),
      apiTasksRunningAtEnd: apiRunning ?? null,
      secondsPostToLastStartedAt: round((started[started.length - 1] - t0) / 1000),
      secondsPostToDeploymentDone: deploymentDone === null ? null : round((deploymentDone - t0) / 1000),
      secondsDeleteToNoTask: round((noTask - t1) / 1000),
      secondsDeleteToNoProcess: round((noProcess - t1) / 1000),
      runningPerSecond: Math.round(INSTANCES / seconds),
      timeline,
    };
  } finally {
    await c.close();
  }
}

async function main(): Promise<void> {
  const info = machine();
  const { runs, failures, loadAtRunStart } = await repeat(once, (r, i) => {
    console.log(
      `run ${i + 1}/${RUNS}: 0 → ${INSTANCES} RUNNING in ${r.secondsPostToAllRunning} s (${r.runningPerSecond}/s; first RUNNING after ${r.secondsPostToFirstRunning} s; ` +
        `Pacer's records all RUNNING after ${r.secondsPostToPacerTasksRunning} s (API tasksRunning then: ${r.apiTasksRunningAtEnd}); deployment done after ${r.secondsPostToDeploymentDone} s); ` +
        `DELETE → no task ${r.secondsDeleteToNoTask} s, no process ${r.secondsDeleteToNoProcess} s`,
    );
  });
  const all = runs.map((r) => r.secondsPostToAllRunning);
  const summary = {
    benchmark: 'converge-real',
    machine: info,
    settings: {
      instances: INSTANCES,
      app: sleeperApp(APP_ID, INSTANCES),
      localMesos: { agents: AGENTS, cpusPerAgent: 16, memPerAgentMb: 65536, allocationInterval: ALLOCATION_INTERVAL, simulate: false },
      pacerEnv: { ...PACER_DEFAULTS, ...schedulerKnobs() },
      pacerNodeArgs: process.env.BENCH_PACER_NODE_ARGS ?? '',
      signal: 'local-mesos GET /state: tasks[].state === TASK_RUNNING, polled every 100 ms, from the POST /v2/apps answer',
      runs: RUNS,
    },
    target_seconds: TARGET_SECONDS,
    seconds_post_to_all_running: range(all),
    meets_target: Math.max(...all) <= TARGET_SECONDS,
    seconds_delete_to_no_process: range(runs.map((r) => r.secondsDeleteToNoProcess)),
    loadAtRunStart,
    runs,
    failures,
    measured_at: new Date().toISOString(),
  };
  console.log(`0 → ${INSTANCES} RUNNING: ${summary.seconds_post_to_all_running.min}–${summary.seconds_post_to_all_running.max} s over ${RUNS} run(s) (target ≤ ${TARGET_SECONDS} s)`);
  console.log(`saved ${saveResult('converge-real', summary)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
