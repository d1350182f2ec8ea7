// An agent inside the local-mesos process: its resources, its tasks and the executor that runs them.
import type { AttributeMsg, TaskInfoMsg } from '../codec/types';
import { Resources } from '../master/resources';
import type { StatusUpdate, Task } from '../master/task';
import type { ResolvedAgentSpec } from '../settings';

/** What an agent-side executor reports; uuid and timestamp are added by the update manager. */
export type AgentUpdate = StatusUpdate;

export interface UpdateSink {
  update(task: Task, update: AgentUpdate): void;
}

/** Runs tasks on an agent: real child processes or a simulation. */
export interface TaskExecutor {
  launch(task: Task, info: TaskInfoMsg): void;
  /** Graceful kill: SIGTERM, `graceMs`, SIGKILL (or the simulated equivalent). */
  kill(task: Task, graceMs: number): void;
  /** Immediate hard kill without any status update (agent lost, shutdown). Resolves when gone. */
  destroy(task: Task): Promise<void>;
  /** Live process id, for /state. */
  pid?(task: Task): number | undefined;
  sandbox?(task: Task): string | undefined;
}

export type AgentState = 'active' | 'unreachable';

export class Agent {
  readonly total: Resources;
  used = new Resources();
  offered = new Resources();
  state: AgentState = 'active';
  /** 'kill' stops destroyed the tasks; 'partition' left them running behind the partition. */
  stopMode: 'kill' | 'partition' | null = null;
  unreachableSince = 0;
  readonly tasks = new Set<Task>();
  executor!: TaskExecutor;
  /** free() as last computed, valid while `used` and `offered` are the same (immutable) objects. */
  private freeCache: { used: Resources; offered: Resources; free: Resources } | null = null;
  /** Decline filter keys by role (see filterKey). */
  private readonly filterKeys = new Map<string, string>();

  constructor(
    readonly id: string,
    readonly index: number,
    readonly spec: ResolvedAgentSpec,
  ) {
    this.total = new Resources(spec.cpus, spec.mem, spec.disk, spec.gpus, spec.ports.slice());
  }

  get hostname(): string {
    return this.spec.hostname;
  }
  get endpoint(): string {
    return `${this.spec.hostname}:${this.spec.port}`;
  }
  get active(): boolean {
    return this.state === 'active';
  }

  /**
   * total − used − offered. Resources are immutable and `used`/`offered` are replaced on every
   * change, so the result is kept until either is replaced: an idle allocation cycle over many
   * agents then allocates nothing (idle garbage keeps V8 from ever shrinking the heap).
   */
  free(): Resources {
    const c = this.freeCache;
    if (c !== null && c.used === this.used && c.offered === this.offered) return c.free;
    const free = this.total.subtract(this.used).subtract(this.offered);
    this.freeCache = { used: this.used, offered: this.offered, free };
    return free;
  }

  /** `${role}\n${id}`, the key of a framework's decline filter for this agent, built once per role. */
  filterKey(role: string): string {
    let key = this.filterKeys.get(role);
    if (key === undefined) {
      if (this.filterKeys.size >= 64) this.filterKeys.clear();
      key = `${role}\n${this.id}`;
      this.filterKeys.set(role, key);
    }
    return key;
  }

  attributes(): AttributeMsg[] {
    return Object.entries(this.spec.attributes).map(([name, v]) =>
      typeof v === 'number' ? { name, type: 'SCALAR', scalar: { value: v } } : { name, type: 'TEXT', text: { value: v } },
    );
  }

  url(): Record<string, unknown> {
    const ip = /^\d+\.\d+\.\d+\.\d+$/.test(this.spec.hostname) ? this.spec.hostname : '127.0.0.1';
    return { scheme: 'http', address: { hostname: this.spec.hostname, ip, port: this.spec.port }, path: '/slave(1)' };
  }
}
