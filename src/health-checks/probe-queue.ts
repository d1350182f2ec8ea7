/**
 * Pacer-side probes as BullMQ jobs (issue 7 §1): the leader schedules them, every replica works them,
 * the leader consumes the results.
 *
 *   leader: ProbeScheduler.scheduleProbes ──► BullMQ queue `health-probes` (batches, delayed until due)
 *                                                   │ worked by a ProbeWorker on every replica
 *                                                   ▼
 *   leader: ProbeResults.onResult ◄── XREAD ── Redis stream `health-results` ◄── XADD per result
 *
 * Why a stream for results (and not BullMQ's QueueEvents or job return values): at 1,000 probes/s a
 * result costs one XADD from the worker (auto-pipelined) and the leader takes up to 1,000 per XREAD
 * round trip on one blocking connection. QueueEvents would carry every job's ~5 lifecycle events through
 * one capped stream (10,000 entries by default: 2 s of backlog at this rate, so a busy leader would
 * silently lose results), and return values kept on jobs would need a read per job. The stream is capped
 * (MAXLEN ~ resultsMaxLen, ~100 s at 1,000/s), is read without being consumed (a new leader may replay
 * the retained tail) and needs no consumer group: only the leader reads it.
 *
 * Bounded everywhere: the queue refuses probes past `maxQueued` (the leader learns how many were
 * dropped, a circuit-breaker input), finished jobs are removed at once (failed ones: last 100), BullMQ's
 * event stream is capped small, the result stream by MAXLEN, probes in flight per replica by
 * `concurrency`, and a probe started later than `maxLagMs` after its due time is not run (its answer
 * would be stale) but reported as skipped, so the leader still sees the lag.
 */
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { probe, type ProbeProtocol, type ProbeResult } from './probe';

export const PROBE_QUEUE = 'health-probes';
export const RESULTS_STREAM = 'health-results';
export const DEFAULT_PREFIX = 'pacer';

export interface ProbeJob {
  readonly instanceId: string;
  readonly taskId: string;
  readonly appId: string;
  /** index of the check in app.healthChecks: with taskId, the key of its HealthState */
  readonly checkIndex: number;
  readonly host: string;
  readonly port: number;
  readonly protocol: ProbeProtocol;
  readonly path?: string;
  readonly timeoutSeconds: number;
  readonly ignoreHttp1xx?: boolean;
  /** epoch ms; its batch waits in BullMQ's delayed set until then, and the worker starts it then */
  readonly dueAt: number;
}

export interface ProbeResultMessage extends ProbeResult {
  readonly instanceId: string;
  readonly taskId: string;
  readonly appId: string;
  readonly checkIndex: number;
  readonly dueAt: number;
  /** epoch ms the worker started the probe (lag = ranAt − dueAt) */
  readonly ranAt: number;
  /** not probed (then `ignored` too): it would have started more than maxLagMs after dueAt */
  readonly skipped?: 'late';
  /** the worker (replica) that ran it */
  readonly worker: string;
}

export interface ProbeQueueConnection {
  /** AppConfig.redisUrl */
  readonly redisUrl: string;
  /** key prefix of the queue and the result stream (tests use one per run) */
  readonly prefix?: string;
}

function resultsKey(prefix: string): string {
  return `${prefix}:${RESULTS_STREAM}`;
}

export interface ProbeSchedulerOptions extends ProbeQueueConnection {
  /** probes queued (not yet started) beyond which new ones are refused (default 50,000: ~50 s at 1,000/s) */
  readonly maxQueued?: number;
  /** most probes in one BullMQ job (default 25) */
  readonly probesPerJob?: number;
  /** probes due within this span of the first one share a job (default 100 ms) */
  readonly slotMs?: number;
}

/** One BullMQ job: probes due within one slot, earliest first. */
export interface ProbeBatch {
  readonly probes: readonly ProbeJob[];
}

/**
 * Leader side: puts probes on the queue.
 *
 * Probes travel in batches: at 1,000 probes/s, one job per probe cost about as much CPU in BullMQ (add,
 * fetch, finish, lifecycle events) as the probes themselves (measured: 0.25–0.4 core for scheduler,
 * worker and reader together vs 0.14 for the bare probes); batches of up to 25 probes due within 100 ms
 * brought it to 0.22, and replicas still share the work job by job.
 */
export class ProbeScheduler {
  private readonly queue: Queue<ProbeBatch>;
  private readonly maxQueued: number;
  private readonly probesPerJob: number;
  private readonly slotMs: number;

  constructor(opts: ProbeSchedulerOptions) {
    this.maxQueued = opts.maxQueued ?? 50_000;
    this.probesPerJob = Math.max(1, opts.probesPerJob ?? 25);
    this.slotMs = opts.slotMs ?? 100;
    this.queue = new Queue<ProbeBatch>(PROBE_QUEUE, {
      connection: { url: opts.redisUrl },
      prefix: opts.prefix ?? DEFAULT_PREFIX,
      streams: { events: { maxLen: 1000 } },
      defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } },
    });
  }

  /**
   * Queues the probes, earliest due first, in batches delayed until their first probe is due. Past
   * the bound (counted in jobs of `probesPerJob`, so at most ~maxQueued probes wait), the latest-due
   * probes are dropped and counted: a sign the probers are behind (a circuit-breaker input).
   */
  async scheduleProbes(jobs: readonly ProbeJob[], now: number = Date.now()): Promise<{ accepted: number; dropped: number }> {
    if (jobs.length === 0) return { accepted: 0, dropped: 0 };
    const maxJobs = Math.ceil(this.maxQueued / this.probesPerJob);
    let room = Math.max(0, maxJobs - (await this.queue.count()));
    const batches: ProbeJob[][] = [];
    for (const j of [...jobs].sort((a, b) => a.dueAt - b.dueAt)) {
      const last = batches[batches.length - 1];
      if (last !== undefined && last.length < this.probesPerJob && j.dueAt - last[0].dueAt < this.slotMs) last.push(j);
      else if (room-- > 0) batches.push([j]);
      else break;
    }
    let accepted = 0;
    for (let i = 0; i < batches.length; i += 500) {
      await this.queue.addBulk(batches.slice(i, i + 500).map((probes) => {
        accepted += probes.length;
        return { name: 'probes', data: { probes }, opts: { delay: Math.max(0, probes[0].dueAt - now) } };
      }));
    }
    return { accepted, dropped: jobs.length - accepted };
  }

  /** Jobs (batches) waiting or delayed, not yet taken by a worker. */
  backlog(): Promise<number> {
    return this.queue.count();
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

export interface ProbeWorkerOptions extends ProbeQueueConnection {
  /** probes in flight on this replica (Marathon's global cap is 256); a full replica takes no more jobs */
  readonly concurrency?: number;
  /** shown in results; default host:pid */
  readonly name?: string;
  /** a probe started later than this after its dueAt is reported as skipped, not probed (default 30 s) */
  readonly maxLagMs?: number;
  /** approximate cap of the result stream (default 100,000) */
  readonly resultsMaxLen?: number;
  readonly onError?: (err: Error) => void;
}

/**
 * Every replica: works probe batches and publishes each probe's result as soon as it has it.
 *
 * A job is done once all its probes have *started*; the probes then run on under the replica's
 * in-flight limit. So a batch with one probe waiting out a 20 s timeout does not hold up the other
 * results, nor does it hold a job slot; and a replica at its limit stops taking jobs, leaving them to
 * the other replicas.
 */
export class ProbeWorker {
  readonly name: string;
  private readonly worker: Worker<ProbeBatch>;
  private readonly publisher: Redis;
  private readonly key: string;
  private readonly maxLagMs: number;
  private readonly maxLen: string;
  private readonly slots: Slots;
  private readonly aborts = new AbortController();
  private readonly onError: (err: Error) => void;

  constructor(opts: ProbeWorkerOptions) {
    this.name = opts.name ?? `${hostname()}:${process.pid}`;
    this.maxLagMs = opts.maxLagMs ?? 30_000;
    this.maxLen = String(opts.resultsMaxLen ?? 100_000);
    this.slots = new Slots(Math.max(1, opts.concurrency ?? 256));
    setMaxListeners(0, this.aborts.signal); // one listener per probe in flight
    const prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.key = resultsKey(prefix);
    this.onError = opts.onError ?? (() => undefined);
    this.publisher = new Redis(opts.redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: 3 });
    this.publisher.on('error', this.onError);
    this.worker = new Worker<ProbeBatch>(PROBE_QUEUE, (job) => this.dispatch(job), {
      connection: { url: opts.redisUrl },
      prefix,
      name: this.name,
      // Jobs handed out to slots at once; what bounds the work is `slots` (probes in flight).
      concurrency: 4,
      // A batch cut short by a dying replica is not worth retrying: the leader schedules the next round.
      maxStalledCount: 0,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 100 },
    });
    this.worker.on('error', this.onError);
  }

  /** Takes a slot per probe (waiting while the replica is full); resolves when every probe has one. */
  private async dispatch(job: Job<ProbeBatch>): Promise<void> {
    const signal = this.aborts.signal;
    for (const p of job.data.probes) {
      const granted = await this.slots.acquire(signal);
      if (signal.aborted) {
        if (granted) this.slots.release();
        return;
      }
      void this.runOne(p).finally(() => this.slots.release());
    }
  }

  /** Waits for the probe's due time (at most a slot: batches are promoted at their first probe's), runs it, publishes. */
  private async runOne(p: ProbeJob): Promise<void> {
    const wait = p.dueAt - Date.now();
    if (wait > 0) await sleep(wait, this.aborts.signal);
    if (this.aborts.signal.aborted) return;
    const ranAt = Date.now();
    let r: ProbeResult & { skipped?: 'late' };
    if (ranAt - p.dueAt > this.maxLagMs) {
      r = { ok: false, ignored: true, skipped: 'late', cause: `not probed: started ${ranAt - p.dueAt} ms after due`, latencyMs: 0 };
    } else {
      r = await probe(p, this.aborts.signal);
      if (this.aborts.signal.aborted) return;
    }
    const msg: ProbeResultMessage = {
      instanceId: p.instanceId, taskId: p.taskId, appId: p.appId, checkIndex: p.checkIndex, dueAt: p.dueAt, ranAt, worker: this.name, ...r,
    };
    try {
      await this.publisher.xadd(this.key, 'MAXLEN', '~', this.maxLen, '*', 'r', JSON.stringify(msg));
    } catch (err) {
      this.onError(err as Error);
    }
  }

  /** Probes running on this replica now. */
  inFlight(): number {
    return this.slots.used;
  }

  /** Stops taking jobs, aborts probes in flight (their results are not published), closes connections. */
  async close(): Promise<void> {
    this.aborts.abort();
    // Forced: the running batches end at once (their slots gave up with the abort), and a worker
    // that cannot reach Redis closes too (an unforced close waits for its fetch loop, which waits
    // for Redis, forever).
    await this.worker.close(true);
    await this.slots.drained();
    await this.publisher.quit().catch(() => undefined);
    // quit() resolves while still reconnecting when Redis is unreachable: stop retrying for good
    if (this.publisher.status !== 'end') this.publisher.disconnect();
  }
}

/** A counting semaphore whose waiters give up when the signal aborts. */
class Slots {
  used = 0;
  private readonly waiters: (() => void)[] = [];
  private idle: (() => void) | undefined;

  constructor(private readonly size: number) {}

  /** Resolves true with a slot, or false without one when the signal aborts first. */
  acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.used < this.size) {
      this.used++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = (): void => {
        signal.removeEventListener('abort', give);
        this.used++;
        resolve(true);
      };
      const give = (): void => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(false);
      };
      this.waiters.push(grant);
      signal.addEventListener('abort', give, { once: true });
    });
  }

  release(): void {
    this.used--;
    const next = this.waiters.shift();
    if (next !== undefined) next();
    else if (this.used === 0) this.idle?.();
  }

  drained(): Promise<void> {
    if (this.used === 0) return Promise.resolve();
    return new Promise((resolve) => { this.idle = resolve; });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export interface ProbeResultsOptions extends ProbeQueueConnection {
  /** results per XREAD (default 1,000) */
  readonly batch?: number;
  /** longest block of one XREAD, bounding how long close() waits (default 1,000 ms) */
  readonly blockMs?: number;
  /** 'latest' (default): results published from now on; 'retained': the stream's retained tail first */
  readonly from?: 'latest' | 'retained';
  readonly onError?: (err: Error) => void;
}

export type ProbeResultHandler = (result: ProbeResultMessage) => void;

/** Leader side: reads the result stream and hands each result to the handlers, in stream order. */
export class ProbeResults {
  private readonly redis: Redis;
  private readonly key: string;
  private readonly handlers: ProbeResultHandler[] = [];
  private readonly onError: (err: Error) => void;
  private loop: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly opts: ProbeResultsOptions) {
    this.key = resultsKey(opts.prefix ?? DEFAULT_PREFIX);
    this.onError = opts.onError ?? (() => undefined);
    this.redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', this.onError);
  }

  /** Registers a handler; the first one starts reading. A handler that throws is reported, not fatal. */
  onResult(handler: ProbeResultHandler): void {
    this.handlers.push(handler);
    this.loop ??= this.read();
  }

  private async read(): Promise<void> {
    const batch = this.opts.batch ?? 1000;
    const blockMs = this.opts.blockMs ?? 1000;
    let lastId = this.opts.from === 'retained' ? '0' : '$';
    while (!this.closed) {
      let reply: [string, [string, string[]][]][] | null;
      try {
        reply = (await this.redis.xread('COUNT', batch, 'BLOCK', blockMs, 'STREAMS', this.key, lastId)) as [string, [string, string[]][]][] | null;
      } catch (err) {
        if (this.closed) break;
        this.onError(err as Error);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (reply === null) continue;
      for (const [, entries] of reply) {
        for (const [id, fields] of entries) {
          lastId = id;
          this.dispatch(fields);
        }
      }
    }
  }

  private dispatch(fields: string[]): void {
    const i = fields.indexOf('r');
    if (i < 0 || i + 1 >= fields.length) return;
    let msg: ProbeResultMessage;
    try {
      msg = JSON.parse(fields[i + 1]) as ProbeResultMessage;
    } catch (err) {
      this.onError(err as Error);
      return;
    }
    for (const h of this.handlers) {
      try {
        h(msg);
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.redis.disconnect();
    await this.loop;
  }
}
