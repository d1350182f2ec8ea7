// The agent-side status update manager (reference §4.1): every agent update carries a random
// 16-byte uuid; per task only the FIFO head is forwarded, and it is resent with doubling backoff
// (first delay settable, max 10 min) until the scheduler acknowledges it.
import { randomFillSync } from 'node:crypto';
import type { AgentUpdate } from '../agent/agent';
import type { EventMsg, TaskStatusMsg } from '../codec/types';
import type { Framework } from './framework';
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

/** Random 16-byte UUID (version 4 bits set) as a latin1 string, drawn from a refilled random pool. */
export function randomUuid(): string {
  if (uuidOffset + 16 > uuidPool.length) {
    randomFillSync(uuidPool);
    uuidOffset = 0;
  }
  const o = uuidOffset;
  uuidOffset += 16;
  uuidPool[o + 6] = (uuidPool[o + 6] & 0x0f) | 0x40;
  uuidPool[o + 8] = (uuidPool[o + 8] & 0x3f) | 0x80;
  return uuidPool.toString('latin1', o, o + 16);
}

/** Timestamps and resend times are kept as ms since this epoch: small integers, not boxed doubles. */
const EPOCH_MS = Date.now();
const clock = (): number => Date.now() - EPOCH_MS;

export function statusMessage(task: Task, u: StatusUpdate, timestamp: number, uuid?: string): TaskStatusMsg {
  const status: TaskStatusMsg = {
    task_id: { value: task.id },
    state: stateForFramework(u.state, task.fw.partitionAware),
    source: u.source,
    agent_id: { value: task.agent.id },
    executor_id: { value: task.id },
    timestamp,
  };
  if (uuid !== undefined) status.uuid = Buffer.from(uuid, 'latin1');
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

/**
 * Heads are only encoded onto a stream that is keeping up: while a subscriber's socket holds more
 * than its high-water mark, heads wait here (as task references, in order) instead of as encoded
 * bytes in the socket buffer, and go out as the stream drains. Resends wait the same way.
 */
export class StatusUpdateManager {
  /** Tasks with a head awaiting acknowledgement. */
  private readonly pending = new Set<Task>();
  /** Per framework: tasks whose head is due but whose stream is congested, in order. */
  private readonly held = new Map<Framework, { tasks: Set<Task>; wake: () => void }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly resendMs: number,
    private readonly hooks: UpdateHooks,
  ) {}

  start(): void {
    const tick = Math.max(10, Math.min(1000, Math.floor(this.resendMs / 4)));
    this.timer = setInterval(() => this.resendDue(clock()), tick);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Heads waiting for a congested stream (all frameworks). */
  get heldCount(): number {
    let n = 0;
    for (const entry of this.held.values()) n += entry.tasks.size;
    return n;
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
    const at = clock();
    const p = task.pending;
    if (p === null) {
      task.pending = { head: update, headAt: at, rest: null, uuid: randomUuid(), resendAt: 0, backoffMs: this.resendMs };
      this.pending.add(task);
      this.forward(task);
    } else if (p.rest === null) {
      p.rest = [update, at];
    } else if (p.rest.length >= 2 * (MAX_QUEUED_UPDATES - 1) && !isTerminal((p.rest[p.rest.length - 2] as StatusUpdate).state)) {
      p.rest[p.rest.length - 2] = update;
      p.rest[p.rest.length - 1] = at;
    } else {
      p.rest.push(update, at);
    }
  }

  /** ACKNOWLEDGE: pops the head when the uuid matches (duplicates and strays are ignored). */
  acknowledge(task: Task, uuid: Uint8Array): void {
    const p = task.pending;
    if (p === null || uuid.length !== 16 || Buffer.from(uuid.buffer, uuid.byteOffset, 16).toString('latin1') !== p.uuid) return;
    if (isTerminal(p.head.state)) {
      this.drop(task);
      this.hooks.forget(task);
      return;
    }
    const rest = p.rest;
    if (rest === null) {
      this.drop(task);
      return;
    }
    p.head = rest[0] as StatusUpdate;
    p.headAt = rest[1] as number;
    if (rest.length === 2) p.rest = null;
    else rest.splice(0, 2);
    p.uuid = randomUuid();
    p.backoffMs = this.resendMs;
    this.forward(task);
  }

  /** Sends the head now if the framework and agent can deliver it, and schedules the next resend. */
  forward(task: Task): void {
    const p = task.pending;
    if (p === null) return;
    const fw = task.fw;
    if (fw.sub !== null && !fw.sub.closed && fw.sub.congested) {
      this.hold(task);
      return;
    }
    this.held.get(fw)?.tasks.delete(task);
    p.resendAt = clock() + p.backoffMs;
    if (!fw.connected || !task.agent.active) return;
    const timestamp = (EPOCH_MS + p.headAt) / 1000;
    const event: EventMsg = { type: 'UPDATE', update: { status: statusMessage(task, p.head, timestamp, p.uuid) } };
    fw.send(event);
  }

  private hold(task: Task): void {
    const fw = task.fw;
    let entry = this.held.get(fw);
    if (!entry) {
      entry = { tasks: new Set(), wake: () => this.release(fw) };
      this.held.set(fw, entry);
    }
    entry.tasks.add(task);
    fw.sub!.onDrain(entry.wake);
  }

  /** A stream drained (or the resend tick came): send held heads until it is congested again. */
  private release(fw: Framework): void {
    const entry = this.held.get(fw);
    if (!entry) return;
    const set = entry.tasks;
    const sub = fw.sub;
    if (sub === null || sub.closed) {
      // No stream: the heads are sent on resubscription (forwardAll) or by their resend timers.
      this.held.delete(fw);
      return;
    }
    for (const task of set) {
      if (sub.congested) {
        sub.onDrain(entry.wake);
        return;
      }
      set.delete(task);
      this.forward(task);
    }
    if (set.size === 0) this.held.delete(fw);
  }

  /** Every stream is gone (master restart): held heads wait for resubscription (forwardAll). */
  forgetStreams(): void {
    this.held.clear();
  }

  /** After a (re)subscription or agent return: deliver every waiting head without waiting for its timer. */
  forwardAll(filter: (task: Task) => boolean): void {
    for (const task of this.pending) if (filter(task)) this.forward(task);
  }

  drop(task: Task): void {
    task.pending = null;
    this.pending.delete(task);
    this.held.get(task.fw)?.tasks.delete(task);
  }

  private resendDue(now: number): void {
    for (const fw of [...this.held.keys()]) this.release(fw);
    for (const task of this.pending) {
      const p = task.pending!;
      if (p.resendAt > now || this.held.get(task.fw)?.tasks.has(task)) continue;
      if (!task.fw.connected || !task.agent.active) {
        p.resendAt = now + p.backoffMs;
        continue;
      }
      p.backoffMs = Math.min(MAX_BACKOFF_MS, p.backoffMs * 2);
      this.forward(task);
    }
  }
}
