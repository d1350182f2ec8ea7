/**
 * Marathon's HTTP event callbacks (`/v2/eventSubscriptions`, removed in Marathon 1.5 because dead
 * subscribers degraded Marathon, issue #1535) as a BullMQ queue, so that no subscriber can slow
 * Pacer down:
 *
 *   replica where the event happened: EventBus ─► CallbackProducer.enqueue ─► BullMQ `event-callbacks`
 *        (one job per event and callback URL)                                     │ worked by every replica
 *                                                                                 ▼
 *                                                   CallbackWorker: POST <event JSON> to the URL
 *
 * Who enqueues: the replica on whose bus the event was published (every event is published on
 * exactly one replica's bus: see event-relay.ts), from its bus, not from the Redis fan-out. So each
 * event is enqueued once without any dedupe key, whether or not Redis pub/sub works, and events
 * that happen on a standby (subscribe_event, event_stream_attached, …) are delivered too.
 *
 * Bounds, each counted in metrics:
 * - per callback URL at most `maxQueuedPerSubscriber` deliveries queued (a Redis counter reserved
 *   atomically with a script for all URLs of an event at once, released when a delivery succeeds or
 *   gives up); past it, the new event is dropped for that URL. Approximate only if a replica dies
 *   between finishing a delivery and releasing it; the counter expires after 10 min without events;
 * - enqueue operations in flight per replica (`maxPending`): the producer's connection has no
 *   offline queue and the publisher never waits for it, so an unreachable Redis costs drops, not time;
 * - a delivery is one POST with a short timeout (`timeoutMs`, connect to last byte), retried
 *   `attempts` times in all with exponential backoff (1 s, 2 s, 4 s, …), waiting in BullMQ's
 *   delayed set, not in a worker slot;
 * - per URL at most `perSubscriberInFlight` POSTs in flight per replica (of `concurrency`), and a
 *   circuit breaker per URL and replica: after a failed POST (error status, refused, timeout) the
 *   URL's jobs fail at once, without a POST, for 1 s, doubling with each further failure up to 30 s;
 *   then one trial POST decides. Failing at once still counts as an attempt, so a dead subscriber's
 *   deliveries give up after their retries (~15 s with the defaults) instead of piling up. A few more
 *   jobs of a URL may wait in the worker for a slot; beyond those, its jobs go back to the delayed set
 *   for ~0.1 s (not an attempt). So a subscriber that suddenly stops answering holds at most
 *   1.5 × `perSubscriberInFlight` slots for one timeout, never all of them, and none after that.
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { hostname } from 'node:os';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { PublishedEvent } from './event-bus';

export const CALLBACK_QUEUE = 'event-callbacks';

export interface CallbackJob {
  readonly url: string;
  /** the URL's backlog counter (released when the delivery is over) */
  readonly backlogKey: string;
  readonly type: string;
  readonly json: string;
  /** epoch ms the event was enqueued */
  readonly at: number;
}

export interface CallbackConnection {
  readonly redisUrl: string;
  /** key prefix of the queue and the backlog counters (one per Pacer cluster; tests use one per run) */
  readonly prefix: string;
}

/** `<prefix>:event-callbacks-backlog:<sha1(url)>`: deliveries queued for one URL. */
export function backlogKey(prefix: string, url: string): string {
  return `${prefix}:${CALLBACK_QUEUE}-backlog:${createHash('sha1').update(url).digest('hex')}`;
}

const BACKLOG_TTL_SECONDS = 600;

/** KEYS: backlog counters; ARGV: cap, ttl. Returns 1 (reserved) or 0 (full) per key. */
const RESERVE = `
local out = {}
for i, k in ipairs(KEYS) do
  local n = redis.call('INCR', k)
  if n > tonumber(ARGV[1]) then
    redis.call('DECR', k)
    out[i] = 0
  else
    redis.call('EXPIRE', k, ARGV[2])
    out[i] = 1
  end
end
return out`;

/** KEYS[1]: a backlog counter. Never below zero. */
const RELEASE = `
local n = redis.call('DECR', KEYS[1])
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n`;

interface BacklogCommands {
  pacerCallbackReserve(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  pacerCallbackRelease(key: string): Promise<number>;
}

function scripted(redis: Redis): Redis & BacklogCommands {
  redis.defineCommand('pacerCallbackReserve', { lua: RESERVE });
  redis.defineCommand('pacerCallbackRelease', { lua: RELEASE, numberOfKeys: 1 });
  return redis as Redis & BacklogCommands;
}

export interface CallbackStats {
  enqueued: number;
  /** events not enqueued for a URL, by reason */
  droppedBacklog: number;
  droppedUnavailable: number;
  delivered: number;
  /** attempts that failed (each retry counts) */
  failedAttempts: number;
  /** deliveries that failed their last attempt */
  gaveUp: number;
  /** attempts failed at once, without a POST, because their URL's circuit breaker was open */
  shortCircuited: number;
  /** jobs put back for ~0.1 s (not an attempt) because their URL had all its slots here in use */
  deferred: number;
}

export const emptyCallbackStats = (): CallbackStats => ({ enqueued: 0, droppedBacklog: 0, droppedUnavailable: 0, delivered: 0, failedAttempts: 0, gaveUp: 0, shortCircuited: 0, deferred: 0 });

export interface CallbackProducerOptions extends CallbackConnection {
  /** deliveries queued per URL beyond which new events for it are dropped (default 1,000) */
  readonly maxQueuedPerSubscriber?: number;
  /** tries per delivery, the first included (default 5) */
  readonly attempts?: number;
  /** first retry delay, doubled each time (default 1,000 ms) */
  readonly backoffMs?: number;
  /** enqueue operations in flight on this replica beyond which events are dropped (default 1,000) */
  readonly maxPending?: number;
  readonly stats?: CallbackStats;
  readonly onError?: (err: Error) => void;
}

/** Puts deliveries on the queue; never blocks or throws in the caller's path. */
export class CallbackProducer {
  private readonly redis: Redis & BacklogCommands;
  private readonly queue: Queue<CallbackJob>;
  private readonly cap: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly maxPending: number;
  private pending = 0;
  private readonly onError: (err: Error) => void;
  readonly stats: CallbackStats;

  constructor(private readonly opts: CallbackProducerOptions) {
    this.cap = opts.maxQueuedPerSubscriber ?? 1000;
    this.attempts = opts.attempts ?? 5;
    this.backoffMs = opts.backoffMs ?? 1000;
    this.maxPending = opts.maxPending ?? 1000;
    this.stats = opts.stats ?? emptyCallbackStats();
    this.onError = opts.onError ?? (() => undefined);
    this.redis = scripted(new Redis(opts.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'pacer-callbacks-producer' }));
    this.redis.on('error', this.onError);
    this.queue = new Queue<CallbackJob>(CALLBACK_QUEUE, {
      connection: this.redis,
      prefix: opts.prefix,
      streams: { events: { maxLen: 1000 } },
      defaultJobOptions: {
        attempts: this.attempts,
        backoff: { type: 'exponential', delay: this.backoffMs },
        removeOnComplete: true,
        removeOnFail: { count: 100 },
      },
    });
    this.queue.on('error', this.onError);
  }

  /** Resolves once the producer's Redis connection is ready, or after `ms`. */
  ready(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.redis.status === 'ready') return resolve();
      const timer = setTimeout(resolve, ms);
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Queues one delivery of `event` per URL (fire and forget; drops are counted). */
  enqueue(event: PublishedEvent, urls: readonly string[]): void {
    if (urls.length === 0) return;
    if (this.redis.status !== 'ready' || this.pending >= this.maxPending) {
      this.stats.droppedUnavailable += urls.length;
      return;
    }
    this.pending++;
    void this.add(event, urls).finally(() => this.pending--);
  }

  private async add(event: PublishedEvent, urls: readonly string[]): Promise<void> {
    const keys = urls.map((u) => backlogKey(this.opts.prefix, u));
    let reserved: number[];
    try {
      reserved = await this.redis.pacerCallbackReserve(keys.length, ...keys, this.cap, BACKLOG_TTL_SECONDS);
    } catch (err) {
      this.stats.droppedUnavailable += urls.length;
      this.onError(err as Error);
      return;
    }
    const at = Date.now();
    const jobs: { name: string; data: CallbackJob }[] = [];
    urls.forEach((url, i) => {
      if (reserved[i] === 1) jobs.push({ name: event.type, data: { url, backlogKey: keys[i], type: event.type, json: event.json, at } });
      else this.stats.droppedBacklog++;
    });
    if (jobs.length === 0) return;
    try {
      await this.queue.addBulk(jobs);
      this.stats.enqueued += jobs.length;
    } catch (err) {
      this.stats.droppedUnavailable += jobs.length;
      this.onError(err as Error);
      await Promise.all(jobs.map((j) => this.redis.pacerCallbackRelease(j.data.backlogKey).catch(() => undefined)));
    }
  }

  /** Forgets a URL's backlog counter (after unsubscribe). */
  async forget(url: string): Promise<void> {
    await this.redis.del(backlogKey(this.opts.prefix, url)).catch(() => undefined);
  }

  /** Jobs waiting, delayed or running (all URLs). */
  async backlog(): Promise<number> {
    return this.queue.count();
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }
}

export interface CallbackWorkerOptions extends CallbackConnection {
  /** POSTs in flight on this replica (default 32) */
  readonly concurrency?: number;
  /** POSTs in flight per URL on this replica (default 8); more jobs of a URL that answers wait for a slot */
  readonly perSubscriberInFlight?: number;
  /** one POST, connect to last byte (default 3,000 ms) */
  readonly timeoutMs?: number;
  readonly name?: string;
  readonly stats?: CallbackStats;
  readonly onError?: (err: Error) => void;
  /** every finished POST (tests, metrics) */
  readonly onAttempt?: (url: string, ok: boolean, ms: number) => void;
}

/** One callback URL as this replica sees it: POSTs in flight, waiters for a slot, its circuit breaker. */
class UrlState {
  inFlight = 0;
  readonly waiters: (() => void)[] = [];
  /** consecutive failed POSTs */
  failures = 0;
  /** epoch ms until which the breaker is open (jobs fail at once, no POST) */
  openUntil = 0;
  /** a half-open trial POST is in flight */
  trial = false;

  /** Whether a job may POST now; false = fail at once (breaker open, or its trial POST is running). */
  admits(now: number): boolean {
    if (this.failures === 0) return true;
    if (now < this.openUntil || this.trial) return false;
    this.trial = true; // half-open: this job is the trial
    return true;
  }
}

/** Every replica: POSTs queued events to their callback URLs. */
export class CallbackWorker {
  readonly name: string;
  readonly stats: CallbackStats;
  private readonly worker: Worker<CallbackJob>;
  private readonly releaser: Redis & BacklogCommands;
  private readonly perUrl: number;
  private readonly timeoutMs: number;
  private readonly urls = new Map<string, UrlState>();
  private readonly aborts = new AbortController();
  private readonly onError: (err: Error) => void;
  /** kept-alive connections to the subscribers (a few per URL at most: perSubscriberInFlight) */
  private readonly agents: Agents;

  constructor(private readonly opts: CallbackWorkerOptions) {
    this.name = opts.name ?? `${hostname()}:${process.pid}`;
    this.perUrl = Math.max(1, opts.perSubscriberInFlight ?? 8);
    const agentOptions = { keepAlive: true, maxSockets: this.perUrl, maxFreeSockets: this.perUrl, timeout: 60_000 };
    this.agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.stats = opts.stats ?? emptyCallbackStats();
    this.onError = opts.onError ?? (() => undefined);
    this.releaser = scripted(new Redis(opts.redisUrl, { maxRetriesPerRequest: 3, connectionName: 'pacer-callbacks-release' }));
    this.releaser.on('error', this.onError);
    this.worker = new Worker<CallbackJob>(CALLBACK_QUEUE, (job, token) => this.process(job, token), {
      connection: { url: opts.redisUrl },
      prefix: opts.prefix,
      name: this.name,
      concurrency: Math.max(1, opts.concurrency ?? 32),
      maxStalledCount: 1,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 100 },
    });
    this.worker.on('error', this.onError);
  }

  private state(url: string): UrlState {
    let s = this.urls.get(url);
    if (s === undefined) {
      s = new UrlState();
      this.urls.set(url, s);
    }
    return s;
  }

  private async process(job: Job<CallbackJob>, token: string | undefined): Promise<void> {
    const { url } = job.data;
    const s = this.state(url);
    // A slot of this URL: a few jobs wait for one here (short while the URL answers; once it fails
    // they are woken and fail at once below); more go back to the queue for a moment, so that one
    // URL never holds more than 1.5 × perUrl of the worker's slots.
    while (s.inFlight >= this.perUrl && s.failures === 0) {
      if (s.waiters.length >= Math.ceil(this.perUrl / 2)) {
        this.stats.deferred++;
        await job.moveToDelayed(Date.now() + 50 + Math.random() * 100, token);
        throw new DelayedError();
      }
      await new Promise<void>((resolve) => s.waiters.push(resolve));
    }
    if (!s.admits(Date.now())) {
      this.stats.shortCircuited++;
      return this.failed(job, new Error(`${url} is failing: not tried again before ${new Date(s.openUntil).toISOString()}`));
    }
    s.inFlight++;
    const started = performance.now();
    let failure: Error | undefined;
    try {
      await post(url, job.data.json, this.agents, AbortSignal.any([this.aborts.signal, AbortSignal.timeout(this.timeoutMs)]));
    } catch (err) {
      failure = err as Error;
    }
    s.inFlight--;
    s.trial = false;
    if (failure === undefined) {
      s.failures = 0;
      s.openUntil = 0;
    } else {
      s.failures++;
      s.openUntil = Date.now() + Math.min(30_000, 1000 * 2 ** Math.min(s.failures - 1, 5));
    }
    // Wake waiters: one per free slot while the URL answers, all of them once it fails.
    const wake = failure === undefined ? s.waiters.splice(0, 1) : s.waiters.splice(0);
    for (const w of wake) w();
    if (s.inFlight === 0 && s.waiters.length === 0 && s.failures === 0) this.urls.delete(url);
    this.opts.onAttempt?.(url, failure === undefined, performance.now() - started);
    if (this.aborts.signal.aborted) throw new Error('worker closing');
    if (failure !== undefined) {
      this.stats.failedAttempts++;
      return this.failed(job, failure);
    }
    this.stats.delivered++;
    await this.release(job);
  }

  /** Fails this attempt (BullMQ retries it later); the last attempt releases the URL's backlog slot. */
  private async failed(job: Job<CallbackJob>, err: Error): Promise<never> {
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
      this.stats.gaveUp++;
      await this.release(job);
    }
    throw err;
  }

  private async release(job: Job<CallbackJob>): Promise<void> {
    try {
      await this.releaser.pacerCallbackRelease(job.data.backlogKey);
    } catch (err) {
      this.onError(err as Error);
    }
  }

  /** Stops taking jobs and aborts POSTs in flight (their jobs are retried by another replica). */
  async close(): Promise<void> {
    this.aborts.abort();
    await this.worker.close().catch(() => undefined);
    await this.releaser.quit().catch(() => undefined);
    this.releaser.disconnect();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/**
 * One POST of the event JSON over a kept-alive connection; resolves on a 2xx answer (its body read
 * and discarded), rejects otherwise: error status, network error, or `signal` (the timeout, which
 * covers connecting, waiting and reading).
 */
function post(url: string, json: string, agents: Agents, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (err) {
      reject(err as Error);
      return;
    }
    const https = target.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)(
      target,
      { method: 'POST', agent: https ? agents.https : agents.http, signal, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) } },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status <= 299) resolve();
          else reject(new Error(`${url} answered ${status}`));
        });
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error(`${url}: answer cut short`));
        });
      },
    );
    req.on('error', reject);
    req.end(json);
  });
}

interface Agents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}
