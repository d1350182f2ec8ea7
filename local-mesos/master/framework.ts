// A framework as the master sees it: its info, its one current stream, tasks, offers and filters.
import type { FrameworkInfoMsg } from '../codec/types';
import type { EventMsg } from '../codec/types';
import type { Offer } from './allocator';
import type { Resources } from './resources';
import type { Subscription } from './subscription';
import type { Task } from './task';

export interface OfferFilter {
  refused: Resources;
  until: number;
}

export class Framework {
  sub: Subscription | null = null;
  heartbeat: NodeJS.Timeout | null = null;
  failoverTimer: NodeJS.Timeout | null = null;
  readonly tasks = new Map<string, Task>();
  readonly offers = new Set<Offer>();
  readonly suppressed = new Set<string>();
  /** Decline filters keyed by `${role}\n${agentId}`. */
  readonly filters = new Map<string, OfferFilter>();
  capabilities = new Set<string>();
  roles: string[] = ['*'];
  disconnectedAt = 0;
  removed = false;
  readonly registeredAt = Date.now();

  constructor(
    readonly id: string,
    public info: FrameworkInfoMsg,
  ) {
    this.applyInfo(info);
  }

  applyInfo(info: FrameworkInfoMsg): void {
    this.info = { ...info, id: { value: this.id } };
    this.capabilities = new Set((info.capabilities ?? []).map((c) => c.type ?? 'UNKNOWN'));
    this.roles = this.multiRole ? (info.roles ?? []) : [info.role ?? '*'];
  }

  get connected(): boolean {
    return this.sub !== null && !this.sub.closed;
  }
  get partitionAware(): boolean {
    return this.capabilities.has('PARTITION_AWARE');
  }
  get multiRole(): boolean {
    return this.capabilities.has('MULTI_ROLE');
  }
  get killingState(): boolean {
    return this.capabilities.has('TASK_KILLING_STATE');
  }

  send(event: EventMsg): void {
    if (this.sub && !this.sub.closed) this.sub.send(event);
  }

  /** Allocated cpus (tasks + outstanding offers), used to order frameworks DRF-style. */
  allocatedCpus(): number {
    let sum = 0;
    for (const t of this.tasks.values()) if (!t.released) sum += t.res.cpus;
    for (const o of this.offers) sum += o.res.cpus;
    return sum;
  }
}
