// Benchmark: simulated mode, 100,000 tasks over 500 agents launched through raw ACCEPT calls, every
// update acknowledged. Reports launches (tasks reaching TASK_RUNNING) per second and the master's
// resident memory per task. Targets: ≥ 5,000 tasks/s and ≤ 1 KB per task.
//   npx tsc -p tsconfig.build.json && node dist/bench/local-mesos-simulated.js
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { EventT, Json } from '../local-mesos/testing/client';
import { operatorGet, PipelinedCaller, startMasterProcess, subscribe, writeResult } from './local-mesos-client';

const TASKS = Number(process.env.TASKS ?? 100_000);
const AGENTS = Number(process.env.AGENTS ?? 500);
const PER_OFFER = Math.ceil(TASKS / AGENTS);
/** Node flags of the master process (space separated); MASTER_NODE_FLAGS overrides the default. */
const MASTER_NODE_FLAGS = (process.env.MASTER_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');

interface Memory {
  rss: number;
  heapUsed: number;
}

let lastHeapSpaces: unknown;
async function memory(url: string): Promise<Memory> {
  const r = await operatorGet(url, '/gc', 'POST');
  lastHeapSpaces = r.heap_spaces;
  return r.memory as Memory;
}

async function main(): Promise<void> {
  const master = await startMasterProcess(
    ['--simulate', '--agents', String(AGENTS), '--cpus', '1000', '--mem', '10000000', '--allocation-interval', '100ms', '--status-update-resend', '60s'],
    {},
    MASTER_NODE_FLAGS,
  );
  // Set once subscribed (the stream id is needed first).
  const ref: { caller?: PipelinedCaller } = {};
  let frameworkId = '';
  let launched = 0;
  let running = 0;
  let firstAccept = 0;
  let allRunning = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const resources: Json[] = [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.01 }, role: '*' },
    { name: 'mem', type: 'SCALAR', scalar: { value: 16 }, role: '*' },
  ];

  const early: EventT[] = [];
  const onEvent = (e: EventT): void => {
    if (!ref.caller) {
      // Offers that arrive while the baseline is measured are kept for later.
      early.push(e);
      return;
    }
    if (e.type === 'OFFERS') {
      for (const offer of e.offers!.offers) {
        const n = Math.min(PER_OFFER, TASKS - launched);
        if (n <= 0) {
          ref.caller.call({ framework_id: { value: frameworkId }, type: 'DECLINE', decline: { offer_ids: [offer.id], filters: { refuse_seconds: 3600 } } });
          continue;
        }
        const tasks: Json[] = [];
        for (let i = 0; i < n; i++) {
          const id = `sim-${launched++}`;
          tasks.push({ name: 'sim', task_id: { value: id }, agent_id: offer.agent_id, resources, command: { value: 'sleep 1000' } });
        }
        firstAccept ||= Date.now();
        ref.caller.call({ framework_id: { value: frameworkId }, type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters: { refuse_seconds: 3600 } } });
      }
    } else if (e.type === 'UPDATE') {
      const s = e.update!.status;
      if (s.uuid) ref.caller.call({ framework_id: { value: frameworkId }, type: 'ACKNOWLEDGE', acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid } });
      if (s.state === 'TASK_RUNNING' && ++running === TASKS) {
        allRunning = Date.now();
        done();
      }
    }
  };
  const sub = await subscribe(master.port, { user: os.userInfo().username, name: 'bench-simulated', capabilities: [{ type: 'PARTITION_AWARE' }] }, onEvent);
  frameworkId = sub.frameworkId;
  // Measure the baseline with the framework subscribed but before any task exists.
  const before = await memory(master.url);
  const caller = (ref.caller = new PipelinedCaller(master.port, sub.streamId, 8));
  for (const e of early.splice(0)) onEvent(e);
  await finished;
  await caller.drained();
  // Let the burst's transient buffers go (sockets, parsers), then measure live memory.
  await new Promise((r) => setTimeout(r, Number(process.env.SETTLE_MS ?? 3000)));
  await memory(master.url);
  const after = await memory(master.url);
  const metrics = await operatorGet(master.url, '/metrics');
  const seconds = (allRunning - firstAccept) / 1000;
  const result = {
    benchmark: 'local-mesos-simulated',
    tasks: TASKS,
    agents: AGENTS,
    seconds_first_accept_to_all_running: seconds,
    tasks_running_per_second: Math.round(TASKS / seconds),
    target_tasks_per_second: 5000,
    master_rss_before_mb: Math.round(before.rss / 1e5) / 10,
    master_rss_after_mb: Math.round(after.rss / 1e5) / 10,
    rss_bytes_per_task: Math.round((after.rss - before.rss) / TASKS),
    heap_bytes_per_task: Math.round((after.heapUsed - before.heapUsed) / TASKS),
    target_bytes_per_task: 1024,
    master_node_flags: MASTER_NODE_FLAGS,
    master_malloc_arena_max: process.env.MALLOC_ARENA_MAX ?? null,
    master_memory_after: after,
    master_heap_spaces_after: lastHeapSpaces,
    master_tasks: metrics.tasks,
    calls: caller.sent,
    call_failures: caller.failures,
    machine: { cpus: os.cpus().length, node: process.version },
    measured_at: new Date().toISOString(),
  };
  if (process.env.SMAPS) console.error(residentByMapping(master.child.pid!));
  caller.close();
  sub.req.destroy();
  await master.stop();
  writeResult('local-mesos-simulated', result);
}

/** Diagnostics (SMAPS=1): resident KB of the master by mapping kind, largest anonymous mappings. */
function residentByMapping(pid: number): string {
  const lines = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n');
  const kinds: Record<string, number> = {};
  const anon: number[] = [];
  let kind = '';
  for (const line of lines) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+(?:\s+(.*))?$/.exec(line);
    if (head) {
      kind = head[1] ? (head[1].startsWith('/') ? 'file' : head[1]) : 'anon';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      kinds[kind] = (kinds[kind] ?? 0) + Number(rss[1]);
      if (kind === 'anon') anon.push(Number(rss[1]));
    }
  }
  anon.sort((a, b) => b - a);
  return JSON.stringify({ kinds, largestAnonKb: anon.slice(0, 12), anonMappings: anon.length });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
