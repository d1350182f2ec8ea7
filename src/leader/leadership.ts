import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { TermStore } from './term-store';

/** Told of every change of this replica's leadership; may return a promise (see `onChange`). */
export type LeadershipListener = (leading: boolean) => void | Promise<void>;

/**
 * Who leads, and this replica's part in it (issue 8). The one surface both modes implement:
 * `LEADER_ELECTION=standalone` (StandaloneLeadership, the default: always leader, Marathon's pseudo
 * election for one replica) and `zookeeper` (ZkLeadership: election through ZooKeeper). Nest
 * provides the configured one under this class (src/leader/leader.module.ts).
 *
 * How leader-only components (the scheduler) use it:
 *
 *   onModuleInit():     leadership.onChange((leading) => leading ? startTerm(leadership.term()!) : stopTerm())
 *   startTerm(term):    load state from Postgres, start the driver; every write transaction runs
 *                       `BEGIN; assertTerm(term); writes; COMMIT` (src/leader/fencing.ts)
 *   stopTerm():         its synchronous part must stop every write and launch at once (set a flag,
 *                       abort the driver); the rest (closing streams) may be async
 *
 * Guarantees:
 * - `onChange(false)` is delivered synchronously, in the very event that revealed the loss (session
 *   expiry, connection loss beyond its bound, abdication, stop), before any other code runs, even
 *   while the handlers of an earlier `true` are still running.
 * - `onChange(true)` is delivered only once the term is taken (`term()` is defined) and only after
 *   every promise returned by the handlers of the previous change settled, so a `stopTerm` finishes
 *   before the next `startTerm` begins. It is skipped if leadership was lost meanwhile.
 * - Every `true` comes with a new term: never reuse in-memory state across two `true`s.
 * - Listeners registered before `start()` (i.e. in a constructor or onModuleInit) see the first
 *   `true`. A listener registered later should also check `isLeader()`/`term()` once.
 *
 * Lifecycle: started in onApplicationBootstrap (LeaderModule is registered before the scheduler's
 * module, and `ready()` can be awaited by anyone who needs the first election round done), stopped
 * in onApplicationShutdown (after the modules registered later, i.e. the scheduler, stopped).
 */
export abstract class Leadership implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly listeners = new Set<LeadershipListener>();
  /** Settles when every handler of the last delivered change settled. */
  private settled: Promise<unknown> = Promise.resolve();
  protected readonly logger = new Logger('Leadership');

  /** Whether this replica leads now (standalone: always, except while abdicating). */
  abstract isLeader(): boolean;
  /** host:port of the current leader, or undefined when none is known. Cheap (cached). */
  abstract leaderAddress(): string | undefined;
  /** The fencing term of this replica's current leadership; undefined when not leading. */
  abstract term(): number | undefined;
  /** Give leadership up (onChange(false) at once) and stand again as a candidate; resolves once done. */
  abstract abdicate(): Promise<void>;
  /** Starts the election (idempotent). */
  abstract start(): Promise<void>;
  /** Resolves once the first election round is done (bounded: also after a time limit). */
  abstract ready(): Promise<void>;
  /** Leaves the election; onChange(false) at once if leading (idempotent). */
  abstract stop(): Promise<void>;

  /** Registers a listener; returns the function that removes it. */
  onChange(listener: LeadershipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
    await this.ready();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Loss: every listener called now, synchronously. */
  protected notifyLost(): void {
    this.deliver(false);
  }

  /** Gain: once the previous change's handlers settled, and only if `stillValid()` then. */
  protected async notifyGained(stillValid: () => boolean): Promise<void> {
    const before = this.settled;
    await before.catch(() => undefined);
    // Another change may have been delivered while we waited: wait for it too.
    if (this.settled !== before) return this.notifyGained(stillValid);
    if (!stillValid()) return;
    this.deliver(true);
  }

  private deliver(leading: boolean): void {
    const pending: Promise<unknown>[] = [this.settled];
    for (const listener of [...this.listeners]) {
      try {
        const out = listener(leading);
        if (out && typeof (out as Promise<void>).then === 'function') {
          pending.push((out as Promise<void>).catch((e: unknown) => this.logger.error(`leadership listener failed (leading=${leading}): ${(e as Error).message}`)));
        }
      } catch (e) {
        this.logger.error(`leadership listener failed (leading=${leading}): ${(e as Error).message}`);
      }
    }
    this.settled = Promise.all(pending);
  }
}

/**
 * One replica, always the leader (the default, for development and single-replica installs).
 * A term is still taken in Postgres at start, so fencing works the same in both modes (and two
 * standalone replicas started by mistake against one database fence each other: the newest wins).
 * Without a database (OpenAPI generation) there is no term. `abdicate()` re-elects this replica at
 * once with a new term (onChange(false), then onChange(true)).
 */
export class StandaloneLeadership extends Leadership {
  private currentTerm: number | undefined;
  private abdicating = false;
  private stopped = false;
  private started: Promise<void> | undefined;

  constructor(
    private readonly address: string,
    private readonly terms: TermStore | undefined,
    private readonly termTimeoutMs = 10_000,
  ) {
    super();
  }

  isLeader(): boolean {
    return !this.abdicating && !this.stopped;
  }

  leaderAddress(): string | undefined {
    return this.address;
  }

  term(): number | undefined {
    return this.isLeader() ? this.currentTerm : undefined;
  }

  start(): Promise<void> {
    this.started ??= this.elect();
    return this.started;
  }

  ready(): Promise<void> {
    return this.start();
  }

  async abdicate(): Promise<void> {
    // Everything up to the first await runs synchronously: the loss is delivered before we return.
    const started = this.started;
    if (!started || this.stopped || this.abdicating) return;
    this.abdicating = true;
    this.currentTerm = undefined;
    this.notifyLost();
    try {
      await started.catch(() => undefined);
      await this.elect();
    } finally {
      this.abdicating = false;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    const wasLeading = this.started !== undefined && this.isLeader();
    this.stopped = true;
    this.currentTerm = undefined;
    if (wasLeading) this.notifyLost();
  }

  private async elect(): Promise<void> {
    let term: number | undefined;
    if (this.terms?.available()) {
      try {
        term = await this.terms.next(this.address, this.termTimeoutMs);
      } catch (e) {
        throw new Error(`standalone leadership: could not take a leadership term in Postgres (${(e as Error).message}); are migrations applied?`);
      }
    }
    if (this.stopped) return;
    this.currentTerm = term;
    this.abdicating = false;
    if (term !== undefined) this.logger.log(`leading (standalone), term ${term}`);
    await this.notifyGained(() => !this.stopped && this.currentTerm === term);
  }
}
