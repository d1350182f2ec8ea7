// The master's record of one task, kept small (simulated mode holds 100,000 of them), and the
// agent-side status update stream that belongs to it.
import type { Agent } from '../agent/agent';
import type { Framework } from './framework';
import type { Resources } from './resources';

const TASK_STATES = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
] as const;

export type TaskState = (typeof TASK_STATES)[number];

/** A state's index in TASK_STATES (what a Task stores). */
const STATE_INDEX = new Map<TaskState, number>(TASK_STATES.map((s, i) => [s, i]));

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

/**
 * One reliable update produced on the agent side (never mutated, so executors share constant ones);
 * its uuid is drawn when it becomes the head, its timestamp is kept next to it in the queue.
 */
export interface StatusUpdate {
  readonly state: TaskState;
  readonly source: 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';
  readonly reason?: string;
  readonly message?: string;
  readonly healthy?: boolean;
}

/** Agent-side FIFO of a task with updates awaiting acknowledgement; exists only while it has any. */
export interface PendingUpdates {
  /** The head: the one update sent and awaiting ACKNOWLEDGE. */
  head: StatusUpdate;
  /** The head's timestamp (ms since the manager's epoch). */
  headAt: number;
  /**
   * Updates queued behind the head as pairs [update, timestamp], oldest first; null while there are
   * none (most of the time: a simulated launch queues one, RUNNING behind STARTING). Bounded (see
   * status-updates.ts).
   */
  rest: (StatusUpdate | number)[] | null;
  /** The head's 16-byte uuid as a latin1 string (32 bytes on the heap instead of a Buffer view). */
  uuid: string;
  /** When the head is due for (re)sending (ms since the manager's epoch), and the current backoff. */
  resendAt: number;
  backoffMs: number;
}

/** Updates awaiting acknowledgement (the head and those queued behind it). */
export const pendingCount = (p: PendingUpdates | null): number => (p === null ? 0 : 1 + (p.rest === null ? 0 : p.rest.length / 2));

const HEALTHY_KNOWN = 1;
const HEALTHY = 2;
const RELEASED = 4;
const KILL_REQUESTED = 8;
const HAS_HEALTH_CHECK = 16;
/** The state's index sits above the flag bits. */
const STATE_SHIFT = 5;
const FLAG_BITS = (1 << STATE_SHIFT) - 1;

/**
 * The master's record of a task. Kept compact because simulated mode holds 100,000 of them: one
 * small object (8 fields), state and flags packed in one small integer, update state only while
 * updates are pending, ids and resources shared where they repeat. Since when a task is unreachable
 * is its agent's `unreachableSince` (all of an agent's tasks become unreachable together).
 */
export class Task {
  /** null once every update has been acknowledged. */
  pending: PendingUpdates | null = null;
  /** Flag bits, and above them the index of the latest state (TASK_STAGING = 0). */
  private flags: number;
  /** Kill grace from the TaskInfo's kill policy, when it has one. */
  killGraceMs: number | undefined = undefined;

  constructor(
    readonly id: string,
    readonly name: string,
    /** Reassigned when a restarted master recovers the framework from the agent's report. */
    public fw: Framework,
    readonly agent: Agent,
    readonly res: Resources,
    hasHealthCheck: boolean,
  ) {
    this.flags = hasHealthCheck ? HAS_HEALTH_CHECK : 0;
  }

  /** Latest state known to the master (the agent's latest, not the acknowledged head). */
  get state(): TaskState {
    return TASK_STATES[this.flags >>> STATE_SHIFT];
  }
  set state(s: TaskState) {
    this.flags = (this.flags & FLAG_BITS) | (STATE_INDEX.get(s)! << STATE_SHIFT);
  }

  private flag(bit: number, on: boolean): void {
    this.flags = on ? this.flags | bit : this.flags & ~bit;
  }

  get hasHealthCheck(): boolean {
    return (this.flags & HAS_HEALTH_CHECK) !== 0;
  }
  get healthy(): boolean | undefined {
    return this.flags & HEALTHY_KNOWN ? (this.flags & HEALTHY) !== 0 : undefined;
  }
  set healthy(v: boolean | undefined) {
    this.flag(HEALTHY_KNOWN, v !== undefined);
    this.flag(HEALTHY, v === true);
  }
  /** Set once resources have been given back to the agent. */
  get released(): boolean {
    return (this.flags & RELEASED) !== 0;
  }
  set released(v: boolean) {
    this.flag(RELEASED, v);
  }
  get killRequested(): boolean {
    return (this.flags & KILL_REQUESTED) !== 0;
  }
  set killRequested(v: boolean) {
    this.flag(KILL_REQUESTED, v);
  }
}
