/**
 * The instance record and the pure reducer that applies a Mesos status update to it.
 *
 * Sources: reference mesos-protocol.md §3.6 (states, reasons) and §4.3 (reaction of a PARTITION_AWARE
 * scheduler); marathon-api.md §0 (goal, condition, "scheduled"), §2.5 (unreachableStrategy), §4.4
 * (what triggers backoff); Marathon 1.10 `core/task/state/TaskConditionMapping.scala` (TASK_LOST by
 * reason) and `core/task/tracker/impl/...TaskFailure` (`isFailureState`: which states become
 * lastTaskFailure).
 *
 * Responsibilities: compute the next record and the effects to take. Non-responsibilities: persisting,
 * acknowledging, killing, launching, and choosing a backoff delay — the caller does those with the
 * effects (backoff.ts keeps the delays).
 *
 * An instance outlives its tasks: when the task of a running-goal instance ends, the instance becomes
 * "scheduled" again and its next launch is a new task id with incarnation + 1 (ids.ts).
 */
import { formatTaskId, parseTaskId } from './ids';

export type MesosTaskState =
  | 'TASK_STAGING' | 'TASK_STARTING' | 'TASK_RUNNING' | 'TASK_KILLING'
  | 'TASK_FINISHED' | 'TASK_FAILED' | 'TASK_KILLED' | 'TASK_ERROR' | 'TASK_LOST' | 'TASK_DROPPED'
  | 'TASK_UNREACHABLE' | 'TASK_GONE' | 'TASK_GONE_BY_OPERATOR' | 'TASK_UNKNOWN';

export const MESOS_TASK_STATES: readonly MesosTaskState[] = [
  'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED',
  'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
];

/**
 * - `scheduled`: no task yet (or never launched); the launcher will launch it.
 * - `provisioned`: matched to an offer, launch sent, no status from Mesos yet.
 * - a Mesos state (TASK_LOST is never stored: it is mapped by reason, see `conditionOf`).
 * - `unreachable-inactive`: Marathon's UnreachableInactive — unreachable longer than
 *   inactiveAfterSeconds; a replacement has been asked for and the instance no longer counts.
 */
export type InstanceState = 'scheduled' | 'provisioned' | 'unreachable-inactive' | Exclude<MesosTaskState, 'TASK_LOST'>;

export type Goal = 'running' | 'stopped' | 'decommissioned';

export interface LastStatus {
  /** the state as Mesos sent it (TASK_LOST included) */
  readonly state: MesosTaskState;
  readonly reason?: string;
  readonly message?: string;
  readonly healthy?: boolean;
  /** when Pacer applied it (ISO) */
  readonly at: string;
}

export interface Instance {
  readonly instanceId: string;
  readonly appId: string;
  /** the app version (ISO timestamp) this instance runs, or will run when launched */
  readonly appVersion: string;
  readonly goal: Goal;
  readonly state: InstanceState;
  /** incarnation of `taskId`; 0 before the first launch */
  readonly incarnation: number;
  /** current (or last) task; absent before the first launch */
  readonly taskId?: string;
  readonly agentId?: string;
  readonly host?: string;
  readonly hostPorts: readonly number[];
  /** last health reported for the running task; absent = unknown / no Mesos health check */
  readonly healthy?: boolean;
  readonly createdAt: string;
  /** when `state` last changed */
  readonly stateSince: string;
  /** when the current task was provisioned (Marathon stagedAt) */
  readonly stagedAt?: string;
  /** first TASK_RUNNING of the current task (Marathon startedAt / activeSince) */
  readonly startedAt?: string;
  /** when the agent became unreachable (TaskStatus.unreachable_time, else when we heard) */
  readonly unreachableSince?: string;
  readonly lastStatus?: LastStatus;
}

/** The fields of a Mesos TaskStatus the reducer reads (codec output, state and reason as enum names). */
export interface TaskStatusUpdate {
  readonly taskId: string;
  readonly state: MesosTaskState;
  /** e.g. `REASON_AGENT_REMOVED` */
  readonly reason?: string;
  readonly message?: string;
  readonly healthy?: boolean;
  readonly agentId?: string;
  /** ISO; TaskStatus.unreachable_time */
  readonly unreachableTime?: string;
}

/** Marathon's `lastTaskFailure` body. */
export interface TaskFailure {
  readonly appId: string;
  readonly taskId: string;
  readonly state: MesosTaskState;
  readonly message: string;
  readonly host: string;
  readonly version: string;
  readonly timestamp: string;
  readonly slaveId?: string;
}

export type UnreachablePolicy = { readonly inactiveAfterSeconds: number; readonly expungeAfterSeconds: number } | 'disabled';

export type InstanceEffect =
  /** the instance is scheduled again: launch incarnation + 1 once the app version's backoff allows */
  | { readonly kind: 'relaunch' }
  /** count a failure for (appId, appVersion) in the backoff table */
  | { readonly kind: 'backoff-failure'; readonly appId: string; readonly appVersion: string }
  /** a task of (appId, appVersion) made progress: advance its delay's reference time */
  | { readonly kind: 'backoff-progress'; readonly appId: string; readonly appVersion: string }
  /** kill this task (it runs but must not) */
  | { readonly kind: 'kill'; readonly taskId: string; readonly reason: KillReason }
  /** delete the instance record */
  | { readonly kind: 'expunge' }
  /** create one new instance of the app in place of this one (it is unreachable for too long) */
  | { readonly kind: 'schedule-replacement' }
  | { readonly kind: 'record-task-failure'; readonly failure: TaskFailure };

export type KillReason = 'goal-not-running' | 'stale-incarnation' | 'reappeared-after-terminal';

export interface ApplyResult {
  readonly instance: Instance;
  readonly effects: readonly InstanceEffect[];
  /** set when the update was not applied to the record (stale or foreign task id) */
  readonly ignored?: string;
}

const TERMINAL: ReadonlySet<string> = new Set<MesosTaskState>([
  'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE',
  'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
]);

/** Marathon's TaskFailure.isFailureState: these (raw) states become lastTaskFailure. */
const FAILURE_STATES: ReadonlySet<MesosTaskState> = new Set<MesosTaskState>([
  'TASK_FAILED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
]);

/**
 * Reference §4.4: Failed, Error, Finished (exit 0 counts), Gone, Dropped trigger backoff; Killed does not.
 * GONE_BY_OPERATOR is Marathon's Gone condition too. Unknown is not in Marathon's list.
 */
const BACKOFF_STATES: ReadonlySet<InstanceState> = new Set<InstanceState>([
  'TASK_FAILED', 'TASK_ERROR', 'TASK_FINISHED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_DROPPED',
]);

const PROGRESS_STATES: ReadonlySet<InstanceState> = new Set<InstanceState>(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING']);

/** TASK_LOST reasons meaning "the task may still run" (TaskConditionMapping.Unreachable). */
const LOST_UNREACHABLE_REASONS: ReadonlySet<string> = new Set([
  'REASON_RECONCILIATION', 'REASON_AGENT_DISCONNECTED', 'REASON_AGENT_REMOVED', 'REASON_SLAVE_DISCONNECTED', 'REASON_SLAVE_REMOVED',
]);

export function isTerminalState(state: InstanceState | MesosTaskState): boolean {
  return TERMINAL.has(state);
}

/** TASK_LOST (sent to non-PA frameworks, or by old agents) mapped by reason as Marathon does; others unchanged. */
export function conditionOf(state: MesosTaskState, reason: string | undefined): Exclude<MesosTaskState, 'TASK_LOST'> {
  if (state !== 'TASK_LOST') return state;
  if (reason !== undefined && LOST_UNREACHABLE_REASONS.has(reason)) return 'TASK_UNREACHABLE';
  if (reason === 'REASON_TASK_UNKNOWN') return 'TASK_UNKNOWN';
  return 'TASK_GONE';
}

/** The task is over (resources released); for a running goal the instance is scheduled again. */
export function isTerminal(instance: Pick<Instance, 'state'>): boolean {
  return isTerminalState(instance.state);
}

/**
 * A task exists that may be running and counts toward the app: provisioned, staging, starting,
 * running, killing, or unreachable (not yet inactive).
 */
export function isActive(instance: Pick<Instance, 'state'>): boolean {
  const s = instance.state;
  return s !== 'scheduled' && s !== 'unreachable-inactive' && !isTerminalState(s);
}

/** Marathon's "scheduled": goal running and (never launched or the task ended) → the launcher will (re)launch it. */
export function isScheduled(instance: Pick<Instance, 'state' | 'goal'>): boolean {
  return instance.goal === 'running' && (instance.state === 'scheduled' || isTerminalState(instance.state));
}

export interface NewInstance {
  readonly instanceId: string;
  readonly appId: string;
  readonly appVersion: string;
  readonly now: string;
}

/** A new instance with a running goal, waiting for its first launch. */
export function newInstance(p: NewInstance): Instance {
  return {
    instanceId: p.instanceId, appId: p.appId, appVersion: p.appVersion, goal: 'running', state: 'scheduled',
    incarnation: 0, hostPorts: [], createdAt: p.now, stateSince: p.now,
  };
}

export interface Placement {
  readonly agentId: string;
  readonly host: string;
  readonly hostPorts: readonly number[];
  /** the app version being launched (a scheduled instance may be launched with a newer config) */
  readonly appVersion?: string;
}

/** Matched to an offer: the next incarnation gets a task id, and the instance is provisioned. */
export function provision(instance: Instance, placement: Placement, now: string): Instance {
  if (!isScheduled(instance)) throw new Error(`instance ${instance.instanceId} is not scheduled (goal ${instance.goal}, state ${instance.state})`);
  const incarnation = instance.incarnation + 1;
  return {
    instanceId: instance.instanceId, appId: instance.appId, appVersion: placement.appVersion ?? instance.appVersion,
    goal: instance.goal, state: 'provisioned', incarnation, taskId: formatTaskId(instance.instanceId, incarnation),
    agentId: placement.agentId, host: placement.host, hostPorts: placement.hostPorts,
    createdAt: instance.createdAt, stateSince: now, stagedAt: now,
    ...(instance.lastStatus ? { lastStatus: instance.lastStatus } : {}),
  };
}

/**
 * Change the goal (scale-down decommissions, stop, restart). A task that still runs is killed; a
 * decommissioned instance without a task is expunged at once.
 */
export function setGoal(instance: Instance, goal: Goal): ApplyResult {
  const next: Instance = instance.goal === goal ? instance : { ...instance, goal };
  const effects: InstanceEffect[] = [];
  if (goal !== 'running' && isActive(next) && next.taskId !== undefined && next.state !== 'TASK_UNREACHABLE') {
    effects.push({ kind: 'kill', taskId: next.taskId, reason: 'goal-not-running' });
  }
  if (goal === 'decommissioned' && !hasLiveTask(next)) effects.push({ kind: 'expunge' });
  return { instance: next, effects };
}

/** A task that may still run on an agent (so the record must stay until Mesos confirms its end). */
function hasLiveTask(instance: Instance): boolean {
  return isActive(instance) || instance.state === 'unreachable-inactive';
}

/**
 * Apply one status update (mesos-protocol §4.3, PARTITION_AWARE). `now` is ISO.
 *
 * | update                                  | new state              | effects                                          |
 * |-----------------------------------------|------------------------|--------------------------------------------------|
 * | older incarnation, still alive          | unchanged              | kill that task (stale-incarnation)               |
 * | other task id                           | unchanged (ignored)    | –                                                |
 * | STAGING/STARTING/RUNNING                | that state             | backoff-progress on change; kill if goal ≠ running|
 * | KILLING                                 | KILLING                | –                                                |
 * | UNREACHABLE (or LOST w/ agent reasons)  | UNREACHABLE            | per unreachableStrategy (`checkUnreachable`)     |
 * | terminal                                | that state             | failure record; backoff for §4.4 states; goal     |
 * |                                         |                        | running → relaunch; decommissioned → expunge     |
 * | active state after a terminal one       | unchanged (terminal)   | kill (reappeared-after-terminal)                 |
 * | terminal after a terminal one           | unchanged              | – (duplicate; no double backoff)                 |
 */
export function applyStatus(instance: Instance, status: TaskStatusUpdate, now: string, unreachable: UnreachablePolicy = 'disabled'): ApplyResult {
  if (status.taskId !== instance.taskId) return foreignTask(instance, status);

  const condition = conditionOf(status.state, status.reason);
  const lastStatus: LastStatus = {
    state: status.state, at: now,
    ...(status.reason !== undefined ? { reason: status.reason } : {}),
    ...(status.message !== undefined ? { message: status.message } : {}),
    ...(status.healthy !== undefined ? { healthy: status.healthy } : {}),
  };

  if (isTerminalState(instance.state)) {
    if (isTerminalState(condition)) return { instance: { ...instance, lastStatus }, effects: [] };
    if (condition === 'TASK_UNREACHABLE' || condition === 'TASK_KILLING') return { instance: { ...instance, lastStatus }, effects: [] };
    return { instance: { ...instance, lastStatus }, effects: [{ kind: 'kill', taskId: status.taskId, reason: 'reappeared-after-terminal' }] };
  }

  const changed = condition !== instance.state && !(condition === 'TASK_UNREACHABLE' && instance.state === 'unreachable-inactive');
  let next: Instance = {
    ...instance,
    state: changed ? condition : instance.state,
    stateSince: changed ? now : instance.stateSince,
    lastStatus,
    ...(status.agentId !== undefined ? { agentId: status.agentId } : {}),
  };
  const effects: InstanceEffect[] = [];

  if (condition === 'TASK_RUNNING') {
    next = withoutKey({ ...next, startedAt: next.startedAt ?? now, ...(status.healthy !== undefined ? { healthy: status.healthy } : {}) }, 'unreachableSince');
  } else if (condition === 'TASK_STAGING' || condition === 'TASK_STARTING') {
    next = withoutKey({ ...next, stagedAt: next.stagedAt ?? now }, 'unreachableSince');
  } else if (condition === 'TASK_UNREACHABLE') {
    next = { ...next, unreachableSince: instance.unreachableSince ?? status.unreachableTime ?? now };
  }

  if (PROGRESS_STATES.has(condition) && changed) {
    effects.push({ kind: 'backoff-progress', appId: instance.appId, appVersion: instance.appVersion });
  }
  if ((PROGRESS_STATES.has(condition)) && instance.goal !== 'running') {
    effects.push({ kind: 'kill', taskId: status.taskId, reason: 'goal-not-running' });
  }

  if (condition === 'TASK_UNREACHABLE') {
    const u = checkUnreachable(next, unreachable, now);
    return { instance: u.instance, effects: [...effects, ...u.effects] };
  }

  if (isTerminalState(condition)) {
    next = withoutKey(next, 'healthy');
    if (FAILURE_STATES.has(status.state)) {
      effects.push({
        kind: 'record-task-failure',
        failure: {
          appId: instance.appId, taskId: status.taskId, state: status.state, message: status.message ?? '',
          host: instance.host ?? '', version: instance.appVersion, timestamp: now,
          ...(next.agentId !== undefined ? { slaveId: next.agentId } : {}),
        },
      });
    }
    if (BACKOFF_STATES.has(condition)) effects.push({ kind: 'backoff-failure', appId: instance.appId, appVersion: instance.appVersion });
    if (instance.state === 'unreachable-inactive') {
      // Its replacement was already asked for: relaunching it too would run one instance too many.
      effects.push({ kind: 'expunge' });
    } else if (instance.goal === 'running') {
      effects.push({ kind: 'relaunch' });
    } else if (instance.goal === 'decommissioned') {
      effects.push({ kind: 'expunge' });
    }
  }
  return { instance: next, effects };
}

/**
 * unreachableStrategy (reference §2.5), for a status update and for the periodic check: unreachable
 * for ≥ inactiveAfterSeconds ⇒ `unreachable-inactive` and one replacement; for ≥ expungeAfterSeconds
 * ⇒ expunge (and a replacement, if none was asked for yet). A replacement is asked for at most once
 * per unreachable task. Disabled ⇒ wait for the agent forever.
 */
export function checkUnreachable(instance: Instance, policy: UnreachablePolicy, now: string): ApplyResult {
  if (policy === 'disabled') return { instance, effects: [] };
  if (instance.state !== 'TASK_UNREACHABLE' && instance.state !== 'unreachable-inactive') return { instance, effects: [] };
  const since = Date.parse(instance.unreachableSince ?? instance.stateSince);
  const elapsed = (Date.parse(now) - since) / 1000;
  const effects: InstanceEffect[] = [];
  let next = instance;
  const replace = instance.goal === 'running' && instance.state === 'TASK_UNREACHABLE';
  if (instance.state === 'TASK_UNREACHABLE' && elapsed >= policy.inactiveAfterSeconds) {
    next = { ...instance, state: 'unreachable-inactive', stateSince: now };
  }
  const expunge = elapsed >= policy.expungeAfterSeconds;
  if (replace && (next.state === 'unreachable-inactive' || expunge)) effects.push({ kind: 'schedule-replacement' });
  if (expunge) effects.push({ kind: 'expunge' });
  return { instance: next, effects };
}

function foreignTask(instance: Instance, status: TaskStatusUpdate): ApplyResult {
  const parsed = parseTaskId(status.taskId);
  const older = parsed.ok && parsed.value.instanceId === instance.instanceId && parsed.value.incarnation < instance.incarnation;
  if (older && !isTerminalState(conditionOf(status.state, status.reason)) && conditionOf(status.state, status.reason) !== 'TASK_UNREACHABLE') {
    return { instance, effects: [{ kind: 'kill', taskId: status.taskId, reason: 'stale-incarnation' }], ignored: 'older incarnation' };
  }
  return { instance, effects: [], ignored: older ? 'older incarnation' : `task ${status.taskId} is not the instance's current task` };
}

function withoutKey<K extends keyof Instance>(instance: Instance, key: K): Instance {
  if (!(key in instance)) return instance;
  const copy: Partial<Record<keyof Instance, unknown>> = { ...instance };
  delete copy[key];
  return copy as Instance;
}

export interface LaunchTimeouts {
  /** Marathon `--task_launch_confirm_timeout` (300 s): provisioned without any Mesos status */
  readonly launchConfirmTimeoutSeconds: number;
  /** Marathon `--task_launch_timeout` (300 s): staging or starting since stagedAt */
  readonly launchTimeoutSeconds: number;
}

export const DEFAULT_LAUNCH_TIMEOUTS: LaunchTimeouts = Object.freeze({ launchConfirmTimeoutSeconds: 300, launchTimeoutSeconds: 300 });

/**
 * A launch that never got confirmed, or is stuck in staging/starting (reference §4.3): the caller kills
 * the task; its terminal update then relaunches the instance (or Mesos reports it unknown).
 */
export function isOverdue(instance: Instance, now: string, timeouts: LaunchTimeouts = DEFAULT_LAUNCH_TIMEOUTS): boolean {
  const elapsedSince = (iso: string | undefined): number => (iso === undefined ? 0 : (Date.parse(now) - Date.parse(iso)) / 1000);
  if (instance.state === 'provisioned') return elapsedSince(instance.stagedAt ?? instance.stateSince) > timeouts.launchConfirmTimeoutSeconds;
  if (instance.state === 'TASK_STAGING' || instance.state === 'TASK_STARTING') {
    return elapsedSince(instance.stagedAt ?? instance.stateSince) > timeouts.launchTimeoutSeconds;
  }
  return false;
}
