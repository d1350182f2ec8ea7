// Benchmark: launch 1,000 short-lived real tasks through raw ACCEPT calls; report tasks reaching
// TASK_RUNNING per second and the master's resident memory. Target ≥ 200 tasks/s.
//   npx tsc -p tsconfig.build.json && node dist/bench/local-mesos-launch.js
import * as os from 'node:os';
import { OfferLauncher, operatorGet, PipelinedCaller, startMasterProcess, subscribe, writeResult } from './local-mesos-client';

const TASKS = Number(process.env.TASKS ?? 1000);
const AGENTS = 4;
const COMMAND = process.env.COMMAND ?? 'sleep 2';

async function main(): Promise<void> {
  const master = await startMasterProcess(['--agents', String(AGENTS), '--cpus', '1000', '--mem', '1000000', '--allocation-interval', '50ms']);
  const rssIdleKb = master.rssKb();
  let running = 0;
  let terminal = 0;
  let allRunning = 0;
  let peakRssKb = rssIdleKb;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const launcher = new OfferLauncher({
    total: TASKS,
    perOffer: 250,
    acceptRefuseSeconds: 0,
    task: (n, agentId) => ({
      name: `bench-${n}`, task_id: { value: `bench-${n}` }, agent_id: agentId,
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.01 }, role: '*' }, { name: 'mem', type: 'SCALAR', scalar: { value: 1 }, role: '*' }],
      command: { value: COMMAND, shell: true },
    }),
    onUpdate: (s) => {
      if (s.state === 'TASK_RUNNING' && ++running === TASKS) {
        allRunning = Date.now();
        peakRssKb = Math.max(peakRssKb, master.rssKb());
      }
      if (['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_LOST'].includes(s.state) && ++terminal === TASKS) done();
    },
  });
  const sub = await subscribe(master.port, { user: os.userInfo().username, name: 'bench-launch', capabilities: [{ type: 'PARTITION_AWARE' }] }, launcher.onEvent);
  const caller = new PipelinedCaller(master.port, sub.streamId, 4);
  launcher.attach(caller, sub.frameworkId);
  const sampler = setInterval(() => (peakRssKb = Math.max(peakRssKb, master.rssKb())), 100);
  await finished;
  clearInterval(sampler);
  await caller.drained();
  const metrics = await operatorGet(master.url, '/metrics');
  const seconds = (allRunning - launcher.firstAcceptAt) / 1000;
  const result = {
    benchmark: 'local-mesos-launch',
    tasks: TASKS,
    agents: AGENTS,
    command: COMMAND,
    seconds_first_accept_to_all_running: seconds,
    tasks_running_per_second: Math.round(TASKS / seconds),
    target_tasks_per_second: 200,
    master_rss_idle_mb: Math.round(rssIdleKb / 102.4) / 10,
    master_rss_peak_mb: Math.round(peakRssKb / 102.4) / 10,
    master_tasks_left: metrics.tasks,
    call_failures: caller.failures,
    machine: { cpus: os.cpus().length, node: process.version },
    measured_at: new Date().toISOString(),
  };
  caller.close();
  sub.req.destroy();
  await master.stop();
  writeResult('local-mesos-launch', result);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
