// Shared pieces of the Mesos driver integration tests: a driver wired to local-mesos with small
// intervals, an event recorder, and polling with deadlines (never fixed sleeps).
import { startLocalMesos, type LocalMesos, type LocalMesosOptions } from '../../local-mesos';
import type { Encoding } from '../../src/mesos/codec';
import { StaticMasterDetector, type MasterDetector } from '../../src/mesos/detector';
import { MesosSchedulerDriver, type DriverOptions } from '../../src/mesos/driver';
import { MemoryFrameworkIdStore, type FrameworkIdStore } from '../../src/mesos/framework-store';
import type { Offer, SchedulerEvent, TaskInfo, TaskState, TaskStatus } from '../../src/mesos/types';

export const ENCODINGS: readonly Encoding[] = ['protobuf', 'json'];

export const FAST_MESOS: LocalMesosOptions = {
  port: 0,
  agents: 1,
  heartbeatIntervalSeconds: 0.2,
  allocationIntervalSeconds: 0.05,
  statusUpdateResendSeconds: 0.3,
  killGraceSeconds: 0.5,
};

export function startMesos(o: LocalMesosOptions = {}): Promise<LocalMesos> {
  return startLocalMesos({ ...FAST_MESOS, ...o });
}

/** Polls `fn` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Records every event a driver emits, and answers questions about them. */
export class Recorder {
  readonly events: SchedulerEvent[] = [];
  listen(driver: MesosSchedulerDriver): void {
    driver.on((e) => {
      this.events.push(e);
    });
  }
  of<T extends SchedulerEvent['type']>(type: T): Extract<SchedulerEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<SchedulerEvent, { type: T }> => e.type === type);
  }
  count(type: SchedulerEvent['type']): number {
    return this.of(type).length;
  }
  waitFor<T extends SchedulerEvent['type']>(type: T, after = 0, timeoutMs = 5000): Promise<Extract<SchedulerEvent, { type: T }>> {
    return eventually(() => this.events.slice(after).find((e): e is Extract<SchedulerEvent, { type: T }> => e.type === type), timeoutMs, `${type} event`);
  }
  offer(timeoutMs = 5000): Promise<Offer> {
    return eventually(() => this.of('offers').flatMap((e) => e.offers)[0], timeoutMs, 'an offer');
  }
  update(taskId: string, state: TaskState, timeoutMs = 5000, pred: (s: TaskStatus) => boolean = () => true): Promise<TaskStatus> {
    return eventually(
      () => this.of('update').map((e) => e.status).find((s) => s.task_id.value === taskId && s.state === state && pred(s)),
      timeoutMs,
      `${taskId} ${state}`,
    );
  }
}

export interface TestDriver {
  driver: MesosSchedulerDriver;
  events: Recorder;
  store: FrameworkIdStore;
}

export function startDriver(master: string | MasterDetector, encoding: Encoding, o: Partial<DriverOptions> = {}): TestDriver {
  const store = o.store ?? new MemoryFrameworkIdStore();
  const driver = new MesosSchedulerDriver({
    framework: { user: 'root', name: 'pacer-test', role: '*', failoverTimeoutSeconds: 3600, hostname: 'pacer.test' },
    encoding,
    detector: typeof master === 'string' ? new StaticMasterDetector(master.split(',')) : master,
    store,
    hasInstances: async () => false,
    backoff: { initialMs: 50, maxMs: 300 },
    callTimeoutMs: 5000,
    subscribeTimeoutMs: 5000,
    detectTimeoutMs: 2000,
    ...o,
  });
  const events = new Recorder();
  events.listen(driver);
  driver.start();
  return { driver, events, store };
}

/** A `sleep` command task using part of the offer (resources copied with the offer's allocation). */
export function sleepTask(id: string, offer: Offer, seconds = 30): TaskInfo {
  const alloc = offer.allocation_info?.role !== undefined ? { allocation_info: { role: offer.allocation_info.role } } : {};
  return {
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, role: '*', ...alloc },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 }, role: '*', ...alloc },
    ],
    command: { value: `sleep ${seconds}`, shell: true },
  };
}

/** Acknowledges every update with a uuid as it arrives (the caller has nothing to persist). */
export function autoAcknowledge(d: TestDriver): void {
  d.driver.on(async (e) => {
    if (e.type === 'update') await d.driver.acknowledge(e.status).catch(() => false);
  });
}

export interface TaskRow {
  id: string;
  state: string;
  pid?: number;
}
export function tasksOf(mesos: LocalMesos): TaskRow[] {
  return mesos.state().tasks as TaskRow[];
}
export interface FrameworkRow {
  id: string;
  connected: boolean;
  suppressed_roles: string[];
  offers: unknown[];
}
export function frameworksOf(mesos: LocalMesos): FrameworkRow[] {
  return mesos.state().frameworks as FrameworkRow[];
}
