// Benchmark: launch 1,000 short-lived real tasks through raw ACCEPT calls; report tasks reaching
// TASK_RUNNING per second and the master's resident memory. Target ≥ 200 tasks/s.
//   npx tsc -p tsconfig.build.json && node dist/bench/local-mesos-launch.js
import * as os from 'node:os';
import type { EventT, Json } from '../local-mesos/testing/client';
import { operatorGet, PipelinedCaller, startMasterProcess, subscribe, writeResult } from './local-mesos-client';

const TASKS = Number(process.env.TASKS ?? 1000);
const AGENTS = 4;
const COMMAND = process.env.COMMAND ?? 'sleep 2';

async function main(): Promise<void> {
  const master = await startMasterProcess(['--agents', String(AGENTS), '--cpus', '1000', '--mem', '1000000', '--allocation-interval', '50ms']);
  const rssIdleKb = master.rssKb();
  // Set once subscribed (the stream id is needed first).
  const ref: { caller?: PipelinedCaller } = {};
  let launched = 0;
  let running = 0;
  let terminal = 0;
  let firstAccept = 0;
  let allRunning = 0;
  let peakRssKb = rssIdleKb;
  let frameworkId = '';
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));

  const early: EventT[] = [];
  const onEvent = (e: EventT): void => {
    if (!ref.caller) {
      // OFFERS can arrive in the same chunk as SUBSCRIBED, before the caller exists.
      early.push(e);
      return;
    }
    if (e.type === 'OFFERS') {
      for (const offer of e.offers!.offers) {
        const n = Math.min(250, TASKS - launched);
        if (n <= 0) {
          ref.caller.call({ framework_id: { value: frameworkId }, type: 'DECLINE', decline: { offer_ids: [offer.id], filters: { refuse_seconds: 3600 } } });
          continue;
        }
        const tasks: Json[] = [];
        for (let i = 0; i < n; i++) {
          const id = `bench-${launched++}`;
          tasks.push({
            name: id, task_id: { value: id }, agent_id: offer.agent_id,
            resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.01 }, role: '*' }, { name: 'mem', type: 'SCALAR', scalar: { value: 1 }, role: '*' }],
            command: { value: COMMAND, shell: true },
          });
        }
        firstAccept ||= Date.now();
        ref.caller.call({ framework_id: { value: frameworkId }, type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters: { refuse_seconds: 0 } } });
      }
    } else if (e.type === 'UPDATE') {
      const s = e.update!.status;
      if (s.uuid) ref.caller.call({ framework_id: { value: frameworkId }, type: 'ACKNOWLEDGE', acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid } });
      if (s.state === 'TASK_RUNNING' && ++running === TASKS) {
        allRunning = Date.now();
        peakRssKb = Math.max(peakRssKb, master.rssKb());
      }
      if (['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_LOST'].includes(s.state) && ++terminal === TASKS) done();
    }
  };
  const sub = await subscribe(master.port, { user: os.userInfo().username, name: 'bench-launch', capabilities: [{ type: 'PARTITION_AWARE' }] }, onEvent);
  frameworkId = sub.frameworkId;
  const caller = (ref.caller = new PipelinedCaller(master.port, sub.streamId, 4));
  for (const e of early.splice(0)) onEvent(e);
  const sampler = setInterval(() => (peakRssKb = Math.max(peakRssKb, master.rssKb())), 100);
  await finished;
  clearInterval(sampler);
  await caller.drained();
  const metrics = await operatorGet(master.url, '/metrics');
  const seconds = (allRunning - firstAccept) / 1000;
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
