import { isScheduled, type Instance } from '../core/instances';

/**
 * The leader's in-memory copy of every instance record, with the indexes the scheduler needs
 * (by app, by task id, scheduled-per-app) and the set of records changed since the last write.
 * Responsibilities: keep the indexes consistent with `put`/`remove`. Non-responsibilities: deciding
 * (the core does), writing (the scheduler flushes `takeChanges()` to the InstanceStore).
 */
export class InstanceTracker {
  private readonly byId = new Map<string, Instance>();
  private readonly byApp = new Map<string, Map<string, Instance>>();
  private readonly byTask = new Map<string, string>();
  /** scheduled (waiting to launch) instance ids per app, in insertion order */
  private readonly waiting = new Map<string, Set<string>>();
  /** when each waiting instance started waiting (ms) */
  private readonly waitingSince = new Map<string, number>();
  private dirty = new Map<string, Instance>();
  private deleted = new Set<string>();
  /** apps whose records changed since `takeTouchedApps` */
  private touched = new Set<string>();
  /** apps whose records changed since `takeWrittenApps` (announced after each write) */
  private written = new Set<string>();

  get size(): number {
    return this.byId.size;
  }

  /** Records loaded from the store: indexed, not marked changed. */
  load(instances: Iterable<Instance>, nowMs: number): void {
    for (const x of instances) this.index(x, nowMs);
  }

  get(instanceId: string): Instance | undefined {
    return this.byId.get(instanceId);
  }

  byTaskId(taskId: string): Instance | undefined {
    const id = this.byTask.get(taskId);
    return id === undefined ? undefined : this.byId.get(id);
  }

  ofApp(appId: string): Instance[] {
    const m = this.byApp.get(appId);
    return m === undefined ? [] : [...m.values()];
  }

  appIds(): IterableIterator<string> {
    return this.byApp.keys();
  }

  all(): IterableIterator<Instance> {
    return this.byId.values();
  }

  /** Apps with instances waiting to be launched, with their waiting ids. */
  waitingApps(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.waiting;
  }

  waitingCount(appId: string): number {
    return this.waiting.get(appId)?.size ?? 0;
  }

  /** Earliest time one of the app's waiting instances started waiting (ms). */
  waitingSinceMs(appId: string): number | undefined {
    let min: number | undefined;
    for (const id of this.waiting.get(appId) ?? []) {
      const t = this.waitingSince.get(id);
      if (t !== undefined && (min === undefined || t < min)) min = t;
    }
    return min;
  }

  /** Store a new or changed record (marked for the next write). */
  put(x: Instance, nowMs: number): void {
    this.index(x, nowMs);
    this.dirty.set(x.instanceId, x);
    this.deleted.delete(x.instanceId);
    this.touched.add(x.appId);
    this.written.add(x.appId);
  }

  /** Forget a record (deleted at the next write). */
  remove(instanceId: string): void {
    const x = this.byId.get(instanceId);
    if (x === undefined) return;
    this.byId.delete(instanceId);
    const app = this.byApp.get(x.appId);
    app?.delete(instanceId);
    if (app !== undefined && app.size === 0) this.byApp.delete(x.appId);
    if (x.taskId !== undefined && this.byTask.get(x.taskId) === instanceId) this.byTask.delete(x.taskId);
    this.unwait(x);
    this.dirty.delete(instanceId);
    this.deleted.add(instanceId);
    this.touched.add(x.appId);
    this.written.add(x.appId);
  }

  /** Records changed and ids removed since the last call. */
  takeChanges(): { upserts: Instance[]; deletes: string[] } {
    const out = { upserts: [...this.dirty.values()], deletes: [...this.deleted] };
    this.dirty = new Map();
    this.deleted = new Set();
    return out;
  }

  /** Put changes (and their apps, see `takeWrittenApps`) back after a failed write (newer versions of a record win). */
  restoreChanges(changes: { upserts: Instance[]; deletes: string[] }, apps: Iterable<string> = []): void {
    for (const id of apps) this.written.add(id);
    for (const x of changes.upserts) {
      if (!this.dirty.has(x.instanceId) && !this.deleted.has(x.instanceId) && this.byId.get(x.instanceId) === x) this.dirty.set(x.instanceId, x);
    }
    for (const id of changes.deletes) if (!this.byId.has(id)) this.deleted.add(id);
  }

  get pendingWrites(): number {
    return this.dirty.size + this.deleted.size;
  }

  takeTouchedApps(): Set<string> {
    const t = this.touched;
    this.touched = new Set();
    return t;
  }

  /** Apps whose records changed since the last call: taken with `takeChanges`, announced once written. */
  takeWrittenApps(): Set<string> {
    const w = this.written;
    this.written = new Set();
    return w;
  }

  private index(x: Instance, nowMs: number): void {
    const before = this.byId.get(x.instanceId);
    this.byId.set(x.instanceId, x);
    let app = this.byApp.get(x.appId);
    if (app === undefined) {
      app = new Map();
      this.byApp.set(x.appId, app);
    }
    app.set(x.instanceId, x);
    if (before?.taskId !== undefined && before.taskId !== x.taskId && this.byTask.get(before.taskId) === x.instanceId) this.byTask.delete(before.taskId);
    if (x.taskId !== undefined) this.byTask.set(x.taskId, x.instanceId);
    if (isScheduled(x)) {
      let w = this.waiting.get(x.appId);
      if (w === undefined) {
        w = new Set();
        this.waiting.set(x.appId, w);
      }
      if (!w.has(x.instanceId)) {
        w.add(x.instanceId);
        this.waitingSince.set(x.instanceId, nowMs);
      }
    } else {
      this.unwait(x);
    }
  }

  private unwait(x: Instance): void {
    const w = this.waiting.get(x.appId);
    if (w === undefined || !w.delete(x.instanceId)) return;
    this.waitingSince.delete(x.instanceId);
    if (w.size === 0) this.waiting.delete(x.appId);
  }
}
