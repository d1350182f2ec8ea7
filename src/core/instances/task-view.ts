/**
 * How the API sees the task of an instance: which instances show a task, the Mesos state shown for
 * it, and the live counts of AppInfo. Marathon 1.10: `core/appinfo/EnrichedTask.scala` (only launched
 * instances have tasks), `core/condition/Condition.scala` (`toMesosTaskStateOrStaging`) and
 * reference marathon-api.md §2.8 (tasksStaged/Running/Healthy/Unhealthy).
 *
 * The counts are also computed in SQL for app lists (src/persistence/instance-store.ts `taskCounts`)
 * from the same state lists exported here, so the two cannot drift apart.
 */
import type { HealthCheckResultJson } from '../health/verdict';
import { isActive, type Instance, type InstanceState, type MesosTaskState } from './instance';

/**
 * An instance as the API reads it to show its task: the record, plus the Pacer-side health results
 * of its current task (Marathon's `healthCheckResults`, from table `instance_health`); absent = none.
 */
export interface TaskRecord extends Instance {
  readonly healthCheckResults?: readonly HealthCheckResultJson[];
}

/** Launched, no Mesos state yet or not running yet: Marathon's tasksStaged. */
export const STAGED_STATES: readonly InstanceState[] = ['provisioned', 'TASK_STAGING', 'TASK_STARTING'];

export interface TaskCounts {
  readonly staged: number;
  readonly running: number;
  /** running with the last health reported true */
  readonly healthy: number;
  /** running with the last health reported false (unknown health counts in neither) */
  readonly unhealthy: number;
}

export const ZERO_COUNTS: TaskCounts = Object.freeze({ staged: 0, running: 0, healthy: 0, unhealthy: 0 });

/**
 * The instance has a task to show: it was launched at least once (a task id) and is not waiting for
 * its first launch. A task that ended while the instance waits to be relaunched is still shown,
 * with its terminal state, as Marathon shows it until the next incarnation replaces it.
 */
export function hasTask(instance: Pick<Instance, 'taskId' | 'state'>): boolean {
  return instance.taskId !== undefined && instance.state !== 'scheduled';
}

/**
 * The Mesos state name shown for a task (Marathon's `toMesosTaskStateOrStaging`): provisioned →
 * TASK_STAGING, unreachable-inactive → TASK_UNREACHABLE, GONE_BY_OPERATOR → TASK_GONE (Marathon's
 * Gone condition); every other Mesos state as stored.
 */
export function taskStateName(state: InstanceState): MesosTaskState {
  switch (state) {
    case 'scheduled':
    case 'provisioned':
      return 'TASK_STAGING';
    case 'unreachable-inactive':
      return 'TASK_UNREACHABLE';
    case 'TASK_GONE_BY_OPERATOR':
      return 'TASK_GONE';
    default:
      return state;
  }
}

/** Marathon's AppInfo counts over the instances of one app (instances of other apps must not be passed). */
export function countTasks(instances: Iterable<Pick<Instance, 'state' | 'healthy'>>): TaskCounts {
  let staged = 0;
  let running = 0;
  let healthy = 0;
  let unhealthy = 0;
  for (const i of instances) {
    if (STAGED_STATES.includes(i.state)) staged++;
    else if (i.state === 'TASK_RUNNING') {
      running++;
      if (i.healthy === true) healthy++;
      else if (i.healthy === false) unhealthy++;
    }
  }
  return { staged, running, healthy, unhealthy };
}

/** A task a kill or a scale-down may select: it may still run and no kill is under way yet. */
export function isKillable(instance: Pick<Instance, 'state'>): boolean {
  return isActive(instance) && instance.state !== 'TASK_KILLING';
}

/**
 * Stored states for Marathon's `GET /v2/tasks?status=` values, which are condition names compared
 * case-insensitively (`running`, `staging`, ...). As in Marathon (`Condition.apply`), a name it does
 * not know means the Unknown condition.
 */
const CONDITION_STATES: Readonly<Record<string, readonly InstanceState[]>> = {
  provisioned: ['provisioned'],
  staging: ['TASK_STAGING'],
  starting: ['TASK_STARTING'],
  running: ['TASK_RUNNING'],
  killing: ['TASK_KILLING'],
  finished: ['TASK_FINISHED'],
  failed: ['TASK_FAILED'],
  killed: ['TASK_KILLED'],
  error: ['TASK_ERROR'],
  dropped: ['TASK_DROPPED'],
  gone: ['TASK_GONE', 'TASK_GONE_BY_OPERATOR'],
  unknown: ['TASK_UNKNOWN'],
  unreachable: ['TASK_UNREACHABLE'],
  unreachableinactive: ['unreachable-inactive'],
  // instances waiting for a launch have no task to show
  scheduled: [],
  reserved: [],
};

export function statesForConditions(names: readonly string[]): InstanceState[] {
  const out = new Set<InstanceState>();
  for (const name of names) for (const s of CONDITION_STATES[name.toLowerCase()] ?? CONDITION_STATES.unknown) out.add(s);
  return [...out];
}
