// The agent-side status update manager (reference §4.1): every agent update carries a random
// 16-byte uuid; per task only the FIFO head is forwarded, and it is resent with doubling backoff
// (first delay settable, max 10 min) until the scheduler acknowledges it.
import { randomFillSync } from 'node:crypto';
import type { AgentUpdate } from '../agent/agent';
import type { EventMsg, TaskStatusMsg } from '../codec/types';
import { isTerminal, stateForFramework, type StatusUpdate, type Task } from './task';

const MAX_BACKOFF_MS = 10 * 60 * 1000;
/** Bound of one task's FIFO; health updates beyond it replace the newest queued one. */
const MAX_QUEUED_UPDATES = 32;

export interface UpdateHooks {
  /** The agent's latest state became terminal: give the resources back. */
  release(task: Task): void;
  /** The terminal update was acknowledged (or the framework is gone): forget the task. */
  forget(task: Task): void;
}

const uuidPool = Buffer.allocUnsafe(16 * 1024);
let uuidOffset = uuidPool.length;

/** Random 16-byte UUID (version 4 bits set), drawn from a refilled random pool for speed. */
export function randomUuid(): Buffer {
  if (uuidOffset + 16 > uuidPool.length) {
    randomFillSync(uuidPool);
    uuidOffset = 0;
  }
  const id = Buffer.allocUnsafe(16);
  uuidPool.copy(id, 0, uuidOffset, uuidOffset + 16);
  uuidOffset += 16;
  id[6] = (id[6] & 0x0f) | 0x40;
  id[8] = (id[8] & 0x3f) | 0x80;
  return id;
}

export function statusMessage(task: Task, u: Omit<StatusUpdate, 'source'> & { source: string }): TaskStatusMsg {
  const status: TaskStatusMsg = {
    task_id: { value: task.id },
    state: stateForFramework(u.state, task.fw.partitionAware),
    source: u.source,
    agent_id: { value: task.agent.id },
    executor_id: { value: task.id },
    timestamp: u.timestamp,
  };
  if (u.uuid) status.uuid = u.uuid;
  if (u.reason !== undefined) status.reason = u.reason;
  if (u.message !== undefined) status.message = u.message;
  if (u.healthy !== undefined) status.healthy = u.healthy;
  status.container_status = { network_infos: [{ ip_addresses: [{ ip_address: agentIp(task) }] }] };
  return status;
}

function agentIp(task: Task): string {
  const h = task.agent.hostname;
  return /^\d+\.\d+\.\d+\.\d+$/.test(h) ? h : '127.0.0.1';
}

export class StatusUpdateManager {
  /** Tasks with a head awaiting acknowledgement. */
  private readonly pending = new Set<Task>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly resendMs: number,
    private readonly hooks: UpdateHooks,
  ) {}

  start(): void {
    const tick = Math.max(10, Math.min(1000, Math.floor(this.resendMs / 4)));
    this.timer = setInterval(() => this.resendDue(Date.now()), tick);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** An executor reported a new state: record it as the latest and queue it for delivery. */
  enqueue(task: Task, update: AgentUpdate): void {
    task.state = update.state;
    if (update.healthy !== undefined) task.healthy = update.healthy;
    const terminal = isTerminal(update.state);
    if (terminal) this.hooks.release(task);
    if (!task.fw.tasks.has(task.id) || task.fw.removed) {
      // Framework removed: nobody will acknowledge; the task ends here.
      if (terminal) this.hooks.forget(task);
      return;
    }
    const full: StatusUpdate = { ...update, uuid: randomUuid(), timestamp: Date.now() / 1000 };
    if (task.updates === null) {
      task.updates = [full];
      task.resendBackoffMs = this.resendMs;
      this.pending.add(task);
      this.forward(task);
    } else if (task.updates.length >= MAX_QUEUED_UPDATES && !isTerminal(task.updates[task.updates.length - 1].state)) {
      task.updates[task.updates.length - 1] = full;
    } else {
      task.updates.push(full);
    }
  }

  /** ACKNOWLEDGE: pops the head when the uuid matches (duplicates and strays are ignored). */
  acknowledge(task: Task, uuid: Buffer): void {
    const head = task.updates?.[0];
    if (!head || !head.uuid.equals(uuid)) return;
    task.updates!.shift();
    if (isTerminal(head.state)) {
      this.drop(task);
      this.hooks.forget(task);
      return;
    }
    if (task.updates!.length === 0) {
      this.drop(task);
      return;
    }
    task.resendBackoffMs = this.resendMs;
    this.forward(task);
  }

  /** Sends the head now if the framework and agent can deliver it, and schedules the next resend. */
  forward(task: Task): void {
    const head = task.updates?.[0];
    if (!head) return;
    task.resendAt = Date.now() + task.resendBackoffMs;
    if (!task.fw.connected || !task.agent.active) return;
    const event: EventMsg = { type: 'UPDATE', update: { status: statusMessage(task, head) } };
    task.fw.send(event);
  }

  /** After a (re)subscription or agent return: deliver every waiting head without waiting for its timer. */
  forwardAll(filter: (task: Task) => boolean): void {
    for (const task of this.pending) if (filter(task)) this.forward(task);
  }

  drop(task: Task): void {
    task.updates = null;
    this.pending.delete(task);
  }

  private resendDue(now: number): void {
    for (const task of this.pending) {
      if (task.resendAt > now) continue;
      if (!task.fw.connected || !task.agent.active) {
        task.resendAt = now + task.resendBackoffMs;
        continue;
      }
      task.resendBackoffMs = Math.min(MAX_BACKOFF_MS, task.resendBackoffMs * 2);
      this.forward(task);
    }
  }
}
