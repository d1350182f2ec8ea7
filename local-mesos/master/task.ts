// The master's record of one task, kept small (simulated mode holds 100,000 of them), and the
// agent-side status update stream that belongs to it.
import type { Agent } from '../agent/agent';
import type { Framework } from './framework';
import type { Resources } from './resources';

export type TaskState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_LOST'
  | 'TASK_ERROR'
  | 'TASK_DROPPED'
  | 'TASK_UNREACHABLE'
  | 'TASK_GONE'
  | 'TASK_GONE_BY_OPERATOR'
  | 'TASK_UNKNOWN';

const TERMINAL = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

/** Mesos' isTerminalState (UNREACHABLE and UNKNOWN are not terminal). */
export const isTerminal = (s: TaskState): boolean => TERMINAL.has(s);

/** States a framework without PARTITION_AWARE never sees: they all arrive as TASK_LOST. */
const PARTITION_STATES = new Set<TaskState>(['TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN']);

export function stateForFramework(state: TaskState, partitionAware: boolean): TaskState {
  return !partitionAware && PARTITION_STATES.has(state) ? 'TASK_LOST' : state;
}

/** One reliable (uuid-carrying) update produced on the agent side. */
export interface StatusUpdate {
  state: TaskState;
  uuid: Buffer;
  timestamp: number;
  source: 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';
  reason?: string;
  message?: string;
  healthy?: boolean;
}

export class Task {
  /** Latest state known to the master (the agent's latest, not the acknowledged head). */
  state: TaskState = 'TASK_STAGING';
  healthy: boolean | undefined = undefined;
  /** Agent-side FIFO; the head is the one update sent and awaiting ACKNOWLEDGE. */
  updates: StatusUpdate[] | null = null;
  /** When the head is due for (re)sending, and the current backoff. */
  resendAt = 0;
  resendBackoffMs = 0;
  /** ms epoch when the agent became unreachable (partitioned/stopped). */
  unreachableSince = 0;
  /** Set once resources have been given back to the agent. */
  released = false;
  killRequested = false;
  /** Kill grace from the TaskInfo's kill policy, when it has one. */
  killGraceMs: number | undefined = undefined;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly fw: Framework,
    readonly agent: Agent,
    readonly res: Resources,
    readonly hasHealthCheck: boolean,
  ) {}
}
