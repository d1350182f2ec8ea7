// ACCEPT: whole-call offer validation, then per-task validation over the pooled resources of the
// offers, launch, and leftovers declined with the call's filters (reference §6).
import type { Agent } from '../agent/agent';
import type { CallMsg, TaskInfoMsg } from '../codec/types';
import type { Offer } from './allocator';
import type { Framework } from './framework';
import type { Master } from './master';
import { describeResources, resourcesFromMessages, Resources } from './resources';
import { Task } from './task';

type AcceptMsg = NonNullable<CallMsg['accept']>;

export function handleAccept(master: Master, fw: Framework, accept: AcceptMsg): void {
  const tasks = launchTasks(accept);
  const checked = validateOffers(master, fw, accept);
  if (typeof checked === 'string') {
    for (const offer of listedOwnOffers(master, fw, accept)) master.allocator.remove(offer, false);
    for (const t of tasks) {
      master.sendMasterUpdate(fw, { taskId: t.task_id.value, state: 'TASK_DROPPED', reason: 'REASON_INVALID_OFFERS', message: checked, agentId: t.agent_id?.value });
    }
    return;
  }
  const { offers, agent, role } = checked;
  let pool = new Resources();
  for (const offer of offers) {
    pool = pool.add(offer.res);
    master.allocator.remove(offer, false);
  }
  const seen = new Set<string>();
  const launched: Launch[] = [];
  for (const op of accept.operations ?? []) {
    if (op.type === 'LAUNCH') {
      for (const info of op.launch?.task_infos ?? []) pool = launchOne(master, fw, agent, info, pool, seen, launched);
    } else if (op.type === 'LAUNCH_GROUP') {
      for (const info of op.launch_group?.task_group?.tasks ?? []) {
        taskError(master, fw, info, 'Task groups (LAUNCH_GROUP) are not supported by local-mesos');
      }
    }
    // Reservation and volume operations have nothing to act on: unreserved resources only.
  }
  master.allocator.refuse(fw, role, agent, pool, accept.filters?.refuse_seconds);
  if (launched.length > 0) deliver(master, agent, launched);
}

function launchTasks(accept: AcceptMsg): TaskInfoMsg[] {
  const out: TaskInfoMsg[] = [];
  for (const op of accept.operations ?? []) {
    if (op.type === 'LAUNCH') out.push(...(op.launch?.task_infos ?? []));
    if (op.type === 'LAUNCH_GROUP') out.push(...(op.launch_group?.task_group?.tasks ?? []));
  }
  return out;
}

function listedOwnOffers(master: Master, fw: Framework, accept: AcceptMsg): Offer[] {
  const out: Offer[] = [];
  for (const { value } of accept.offer_ids ?? []) {
    const offer = master.allocator.offers.get(value);
    if (offer && offer.fw === fw && !out.includes(offer)) out.push(offer);
  }
  return out;
}

function validateOffers(master: Master, fw: Framework, accept: AcceptMsg): string | { offers: Offer[]; agent: Agent; role: string } {
  const ids = (accept.offer_ids ?? []).map((o) => o.value);
  if (ids.length === 0) return 'No offers specified';
  if (new Set(ids).size !== ids.length) return 'Duplicate offers specified';
  const offers: Offer[] = [];
  for (const id of ids) {
    const offer = master.allocator.offers.get(id);
    if (!offer) return `Offer ${id} is no longer valid`;
    if (offer.fw !== fw) return `Offer ${id} has invalid framework ${offer.fw.id} while framework ${fw.id} is expected`;
    offers.push(offer);
  }
  const agent = offers[0].agent;
  if (offers.some((o) => o.agent !== agent)) return 'Aggregated offers must belong to one single agent';
  const role = offers[0].role;
  if (offers.some((o) => o.role !== role)) return 'Aggregated offers must be allocated to the same role';
  if (!agent.active) return `Agent ${agent.id} is not available`;
  return { offers, agent, role };
}

/** Validates one task against what remains; launches it and returns the new remainder. */
function launchOne(master: Master, fw: Framework, agent: Agent, info: TaskInfoMsg, pool: Resources, seen: Set<string>, launched: Launch[]): Resources {
  const problem = validateTask(fw, agent, info, seen);
  if (problem) {
    taskError(master, fw, info, problem);
    return pool;
  }
  const res = resourcesFromMessages(info.resources ?? []);
  if (typeof res === 'string') {
    taskError(master, fw, info, res);
    return pool;
  }
  if (!pool.contains(res)) {
    taskError(master, fw, info, `Total resources ${describeResources(res)} required by task and its executor is more than available ${describeResources(pool)}`);
    return pool;
  }
  seen.add(info.task_id.value);
  launched.push({ task: launch(fw, agent, info, res), info });
  return pool.subtract(res);
}

const hasControlChar = (s: string): boolean => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

function validateTask(fw: Framework, agent: Agent, info: TaskInfoMsg, seen: Set<string>): string | null {
  const id = info.task_id.value;
  if (id === '' || id === '.' || id === '..' || id.length > 255 || /[/\\]/.test(id) || hasControlChar(id)) return `Task ID '${id}' is invalid`;
  if (seen.has(id) || fw.tasks.has(id)) return `Task has duplicate ID: ${id}`;
  if (info.agent_id.value !== agent.id) return `Task uses invalid agent: ${info.agent_id.value}`;
  if ((info.command === undefined) === (info.executor === undefined)) {
    return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
  }
  if (info.executor !== undefined) return 'Custom executors are not supported by local-mesos; use CommandInfo';
  const cmd = info.command!;
  if (cmd.shell !== false && !cmd.value) return 'Command task with shell=true needs a command value';
  if (cmd.shell === false && !cmd.value) return 'Command task with shell=false needs an executable value';
  if ((info.resources ?? []).length === 0) return 'Task uses no resources';
  const grace = info.kill_policy?.grace_period?.nanoseconds;
  if (grace !== undefined && grace < 0) return "Task's kill policy must have non-negative grace period";
  const mct = info.max_completion_time?.nanoseconds;
  if (mct !== undefined && mct < 0) return "Task's max completion time must be non-negative";
  return validateHealthCheck(info);
}

function validateHealthCheck(info: TaskInfoMsg): string | null {
  const hc = info.health_check;
  if (!hc) return null;
  if (hc.type === undefined || hc.type === 'UNKNOWN') return 'HealthCheck must specify a type';
  if (hc.type === 'HTTP' && !hc.http) return "Expecting 'http' to be set for HTTP health check";
  if (hc.type === 'TCP' && !hc.tcp) return "Expecting 'tcp' to be set for TCP health check";
  if (hc.type === 'COMMAND' && !hc.command) return "Expecting 'command' to be set for COMMAND health check";
  for (const k of ['delay_seconds', 'interval_seconds', 'timeout_seconds', 'grace_period_seconds'] as const) {
    const v = hc[k];
    if (v !== undefined && v < 0) return `Expecting '${k}' to be non-negative`;
  }
  return null;
}

function taskError(master: Master, fw: Framework, info: TaskInfoMsg, message: string): void {
  master.sendMasterUpdate(fw, { taskId: info.task_id.value, state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', message, agentId: info.agent_id?.value });
}

interface Launch {
  task: Task;
  info: TaskInfoMsg;
}

/**
 * Values that repeat across many tasks (names, resource vectors) are stored once: 100,000 tasks
 * launched from a few task templates then share a handful of strings and Resources objects.
 * Resources are never mutated after construction, so sharing is safe. Bounded.
 */
const MAX_INTERNED = 4096;
const names = new Map<string, string>();
const resourceVectors = new Map<string, Resources>();

function intern<T>(map: Map<string, T>, key: string, value: T): T {
  const known = map.get(key);
  if (known !== undefined) return known;
  if (map.size >= MAX_INTERNED) map.clear();
  map.set(key, value);
  return value;
}

function sharedResources(res: Resources): Resources {
  // Port ranges differ from task to task; only port-less vectors are worth sharing.
  if (res.ports.length > 0) return res;
  return intern(resourceVectors, `${res.cpus}:${res.mem}:${res.disk}:${res.gpus}`, res);
}

function launch(fw: Framework, agent: Agent, info: TaskInfoMsg, res: Resources): Task {
  const task = new Task(info.task_id.value, intern(names, info.name, info.name), fw, agent, sharedResources(res), info.health_check !== undefined);
  const grace = info.kill_policy?.grace_period?.nanoseconds;
  if (grace !== undefined) task.killGraceMs = grace / 1e6;
  fw.tasks.set(task.id, task);
  agent.tasks.add(task);
  agent.used = agent.used.add(res);
  return task;
}

/** Delivery to the agent is asynchronous, as in Mesos: a KILL can still find the task STAGING. */
function deliver(master: Master, agent: Agent, launched: Launch[]): void {
  setImmediate(() => {
    for (const { task, info } of launched) {
      if (task.killRequested) {
        master.update(task, { state: 'TASK_KILLED', source: 'SOURCE_AGENT', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', message: 'Killed before delivery to the agent' });
      } else if (task.fw.tasks.get(task.id) === task && agent.active) {
        agent.executor.launch(task, info);
      }
    }
  });
}
