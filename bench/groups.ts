// Issue 9: one group of 1,000 apps in one POST /v2/groups (Marathon's scale test: 72 s), on simulated
// local-mesos agents. Measured from just before the request:
//   - seconds until the request is answered (target ≤ 2 s): validation, planning and the one
//     transaction that stores 1,000 app versions, the group rows, the group version and one
//     deployment;
//   - seconds until all 1,000 tasks are RUNNING on the agents (the master's GET /state), until Pacer
//     has recorded them RUNNING (its instances table), and until the deployment is finished;
//   - then the read side: GET /v2/groups/{id} of the 1,000-app group (default embeds, and with
//     counts), and a dry run of scaleBy 2 (plan of 1,000 changes, nothing stored).
// Apps are Marathon's defaults apart from resources: one dynamic service port each (so the write
// assigns 1,000 cluster-unique service ports), no health checks, no dependencies.
// BENCH_APPS (1,000), BENCH_AGENTS (100), BENCH_RUNS (1) override; BENCH_NO_PORTS=1 posts apps
// without ports (`portDefinitions: []`).
//   npm run build && node dist/bench/groups.js
import { saveResult } from './lib';
import { databaseActivity, machine, mesosTaskCounts, pacerRunning, PACER_DEFAULTS, postJson, range, round, RUNS, schedulerKnobs, sleep, startCluster, until } from './converge-lib';

const APPS = Number(process.env.BENCH_APPS ?? 1_000);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 100);
const ALLOCATION_INTERVAL = process.env.BENCH_ALLOCATION_INTERVAL ?? '1s';
const GROUP = '/bench/groups';
const TARGET_ANSWER_SECONDS = 2;
const MARATHON_SECONDS = 72;

function groupBody(): Record<string, unknown> {
  return {
    id: GROUP,
    apps: Array.from({ length: APPS }, (_, i) => ({ id: `app-${String(i).padStart(4, '0')}`, cmd: 'sleep 3600', cpus: 0.01, mem: 8, instances: 1, ...(process.env.BENCH_NO_PORTS ? { portDefinitions: [] } : {}) })),
  };
}

interface Run {
  secondsToAnswer: number;
  answerStatus: number;
  secondsToAllRunning: number;
  secondsToPacerRunning: number | null;
  secondsToDeploymentDone: number | null;
  deploymentSteps: number | null;
  getGroupMs: number;
  getGroupWithCountsMs: number;
  getGroupBytes: number;
  dryRunScaleMs: number;
  dryRunActions: number;
  databaseActivity: Record<string, unknown>;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

async function once(): Promise<Run> {
  const c = await startCluster({ mesosArgs: ['--simulate', '--agents', String(AGENTS), '--cpus', '1000', '--mem', '10000000', '--allocation-interval', ALLOCATION_INTERVAL] });
  try {
    const body = groupBody();
    const t0 = Date.now();
    const created = await postJson(`${c.base}/v2/groups`, body);
    const answered = Date.now();
    if (created.status !== 201) throw new Error(`POST /v2/groups answered ${created.status}: ${JSON.stringify(created.json).slice(0, 500)}`);
    console.log(`POST /v2/groups (${APPS} apps) answered 201 after ${((answered - t0) / 1000).toFixed(3)} s`);
    const deploymentId = (created.json as { deploymentId: string }).deploymentId;
    const deployment = ((await (await fetch(`${c.base}/v2/deployments`)).json()) as Array<{ id: string; totalSteps: number }>).find((d) => d.id === deploymentId);

    // The master's task count first (cheap), then every task's state once the count is complete.
    await until(`${APPS} tasks on the agents`, 180_000, 100, async () => {
      const m = (await (await fetch(`${c.mesos.url}/state?tasks=false`)).json()) as { task_count: number };
      return m.task_count >= APPS ? true : undefined;
    });
    const allRunning = await until(`${APPS} tasks RUNNING`, 60_000, 100, async () => ((await mesosTaskCounts(c.mesos.url)).running >= APPS ? Date.now() : undefined));
    console.log(`all ${APPS} RUNNING on the agents ${((allRunning - t0) / 1000).toFixed(2)} s after the request`);
    const pacerAll = await until(`Pacer to record ${APPS} RUNNING`, 60_000, 100, async () => ((await pacerRunning(c.db)) >= APPS ? Date.now() : undefined)).catch(() => null);
    const done = await until('the deployment to finish', 120_000, 100, async () => {
      const ds = (await (await fetch(`${c.base}/v2/deployments`)).json()) as unknown[];
      return ds.length === 0 ? Date.now() : undefined;
    }).catch((e: Error) => {
      console.error(`deployment: ${e.message}`);
      return null;
    });

    const [read, getMs] = await timed(async () => (await fetch(`${c.base}/v2/groups${GROUP}`)).text());
    const [, countsMs] = await timed(async () => (await fetch(`${c.base}/v2/groups${GROUP}?embed=group.apps&embed=group.apps.counts`)).text());
    const [dry, dryMs] = await timed(async () => postJson(`${c.base}/v2/groups${GROUP}?dryRun=true`, { scaleBy: 2 }, 'PUT'));
    const dryActions = ((dry.json as { steps?: Array<{ actions: unknown[] }> }).steps ?? []).reduce((n, s) => n + s.actions.length, 0);
    const db = await databaseActivity(c.db);
    return {
      secondsToAnswer: round((answered - t0) / 1000, 3),
      answerStatus: created.status,
      secondsToAllRunning: round((allRunning - t0) / 1000),
      secondsToPacerRunning: pacerAll === null ? null : round((pacerAll - t0) / 1000),
      secondsToDeploymentDone: done === null ? null : round((done - t0) / 1000),
      deploymentSteps: deployment?.totalSteps ?? null,
      getGroupMs: Math.round(getMs),
      getGroupWithCountsMs: Math.round(countsMs),
      getGroupBytes: read.length,
      dryRunScaleMs: Math.round(dryMs),
      dryRunActions: dryActions,
      databaseActivity: db,
    };
  } finally {
    await c.close();
  }
}

async function main(): Promise<void> {
  const info = machine();
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await once();
    runs.push(r);
    console.log(
      `run ${i + 1}/${RUNS}: answered in ${r.secondsToAnswer} s; all ${APPS} RUNNING after ${r.secondsToAllRunning} s (Pacer's records ${r.secondsToPacerRunning} s, ` +
        `deployment of ${r.deploymentSteps} steps done ${r.secondsToDeploymentDone} s); GET group ${r.getGroupMs} ms (${r.getGroupBytes} B), with counts ${r.getGroupWithCountsMs} ms; ` +
        `dry run of scaleBy 2: ${r.dryRunScaleMs} ms (${r.dryRunActions} actions)`,
    );
    await sleep(500);
  }
  const answers = runs.map((r) => r.secondsToAnswer);
  const summary = {
    benchmark: 'groups',
    machine: info,
    settings: {
      apps: APPS,
      app: (groupBody().apps as unknown[])[0],
      ports: process.env.BENCH_NO_PORTS ? 'none' : 'one dynamic service port per app',
      localMesos: { agents: AGENTS, cpusPerAgent: 1000, memPerAgentMb: 10_000_000, allocationInterval: ALLOCATION_INTERVAL, simulate: true },
      pacerEnv: { ...PACER_DEFAULTS, ...schedulerKnobs() },
      signal: 'answered: POST /v2/groups response received; all RUNNING: local-mesos GET /state, every task TASK_RUNNING; times from just before the request',
      runs: RUNS,
    },
    target_answer_seconds: TARGET_ANSWER_SECONDS,
    marathon_scale_test_seconds: MARATHON_SECONDS,
    seconds_to_answer: range(answers),
    seconds_to_all_running: range(runs.map((r) => r.secondsToAllRunning)),
    meets_target_answer: Math.max(...answers) <= TARGET_ANSWER_SECONDS,
    runs,
    measured_at: new Date().toISOString(),
  };
  console.log(
    `POST of ${APPS} apps answered in ${summary.seconds_to_answer.min}–${summary.seconds_to_answer.max} s (target ≤ ${TARGET_ANSWER_SECONDS} s); ` +
      `all RUNNING after ${summary.seconds_to_all_running.min}–${summary.seconds_to_all_running.max} s (Marathon's scale test: ${MARATHON_SECONDS} s) over ${RUNS} run(s)`,
  );
  console.log(`saved ${saveResult('groups', summary)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
