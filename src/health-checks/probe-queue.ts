/**
 * Pacer-side probes as BullMQ jobs (issue 7 §1): the leader schedules them, every replica works them,
 * the leader consumes the results.
 *
 *   leader: ProbeScheduler.scheduleProbes ──► BullMQ queue `health-probes` (delayed until dueAt)
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
 * Bounded everywhere: the queue refuses jobs past `maxQueued` (the leader learns how many were dropped,
 * a circuit-breaker input), finished jobs are removed at once (failed ones: last 100), BullMQ's event
 * stream is capped small, the result stream by MAXLEN, worker concurrency by `concurrency`, and a job
 * picked up later than `maxLagMs` after its due time is not probed (its answer would be stale) but
 * reported as skipped, so the leader still sees the lag.
 */
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
  /** epoch ms; the job waits in BullMQ's delayed set until then */
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
  /** not probed (then `ignored` too): picked up more than maxLagMs after dueAt */
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
  /** jobs waiting or delayed beyond which new ones are refused (default 50,000: ~50 s at 1,000/s) */
  readonly maxQueued?: number;
}

/** Leader side: puts probes on the queue. */
export class ProbeScheduler {
  private readonly queue: Queue<ProbeJob>;
  private readonly maxQueued: number;

  constructor(opts: ProbeSchedulerOptions) {
    this.maxQueued = opts.maxQueued ?? 50_000;
    this.queue = new Queue<ProbeJob>(PROBE_QUEUE, {
      connection: { url: opts.redisUrl },
      prefix: opts.prefix ?? DEFAULT_PREFIX,
      streams: { events: { maxLen: 1000 } },
      defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } },
    });
  }

  /**
   * Adds the probes (earliest due first) while the queue holds fewer than maxQueued jobs; the rest
   * are dropped and counted. A job already queued for the same (task, check, dueAt) is not added twice.
   */
  async scheduleProbes(jobs: readonly ProbeJob[], now: number = Date.now()): Promise<{ accepted: number; dropped: number }> {
    if (jobs.length === 0) return { accepted: 0, dropped: 0 };
    const room = Math.max(0, this.maxQueued - (await this.queue.count()));
    const take = [...jobs].sort((a, b) => a.dueAt - b.dueAt).slice(0, room);
    for (let i = 0; i < take.length; i += 1000) {
      await this.queue.addBulk(take.slice(i, i + 1000).map((data) => ({
        name: 'probe',
        data,
        opts: { jobId: jobId(data), delay: Math.max(0, data.dueAt - now) },
      })));
    }
    return { accepted: take.length, dropped: jobs.length - take.length };
  }

  /** Jobs waiting, delayed or prioritized (not yet being probed). */
  backlog(): Promise<number> {
    return this.queue.count();
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** BullMQ refuses ':' in custom ids; task ids do not contain it, but be safe. */
function jobId(j: ProbeJob): string {
  return `${j.taskId}|${j.checkIndex}|${j.dueAt}`.replace(/:/g, '_');
}

export interface ProbeWorkerOptions extends ProbeQueueConnection {
  /** probes in flight on this replica (Marathon's global cap is 256) */
  readonly concurrency?: number;
  /** shown in results; default host:pid */
  readonly name?: string;
  /** a job picked up later than this after its dueAt is reported as skipped, not probed (default 30 s) */
  readonly maxLagMs?: number;
  /** approximate cap of the result stream (default 100,000) */
  readonly resultsMaxLen?: number;
  readonly onError?: (err: Error) => void;
}

/** Every replica: works probe jobs and publishes their results. */
export class ProbeWorker {
  readonly name: string;
  private readonly worker: Worker<ProbeJob>;
  private readonly publisher: Redis;
  private readonly key: string;
  private readonly maxLagMs: number;
  private readonly maxLen: string;
  private readonly aborts = new AbortController();

  constructor(opts: ProbeWorkerOptions) {
    this.name = opts.name ?? `${hostname()}:${process.pid}`;
    this.maxLagMs = opts.maxLagMs ?? 30_000;
    this.maxLen = String(opts.resultsMaxLen ?? 100_000);
    const prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.key = resultsKey(prefix);
    const onError = opts.onError ?? (() => undefined);
    this.publisher = new Redis(opts.redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: 3 });
    this.publisher.on('error', onError);
    this.worker = new Worker<ProbeJob>(PROBE_QUEUE, (job) => this.run(job), {
      connection: { url: opts.redisUrl },
      prefix,
      name: this.name,
      concurrency: opts.concurrency ?? 256,
      // A probe cut short by a dying replica is not worth retrying: the leader schedules the next one.
      maxStalledCount: 0,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 100 },
    });
    this.worker.on('error', onError);
  }

  private async run(job: Job<ProbeJob>): Promise<void> {
    const j = job.data;
    const ranAt = Date.now();
    let r: ProbeResult & { skipped?: 'late' };
    if (ranAt - j.dueAt > this.maxLagMs) {
      r = { ok: false, ignored: true, skipped: 'late', cause: `not probed: picked up ${ranAt - j.dueAt} ms after due`, latencyMs: 0 };
    } else {
      r = await probe(j, this.aborts.signal);
      if (this.aborts.signal.aborted) return;
    }
    const msg: ProbeResultMessage = {
      instanceId: j.instanceId, taskId: j.taskId, appId: j.appId, checkIndex: j.checkIndex, dueAt: j.dueAt, ranAt, worker: this.name, ...r,
    };
    await this.publisher.xadd(this.key, 'MAXLEN', '~', this.maxLen, '*', 'r', JSON.stringify(msg));
  }

  /** Stops taking jobs, aborts probes in flight (their results are not published), closes connections. */
  async close(): Promise<void> {
    this.aborts.abort();
    await this.worker.close();
    await this.publisher.quit().catch(() => this.publisher.disconnect());
  }
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
