/**
 * Cross-replica fan-out of the event bus through Redis pub/sub.
 *
 *   replica X: EventBus.publish ──► relay (one bus subscriber) ──PUBLISH──► Redis channel `<prefix>:events`
 *                                                                               │ one message per event
 *   every replica (X too) ◄──────────────────────────────── SUBSCRIBE ◄───────────┘
 *        └─► `fanout` (a second, Redis-fed EventBus) ──► its /v2/events clients
 *
 * One path only: a replica's stream clients get every event from Redis, its own replica's included,
 * never straight from the local bus, so nothing arrives twice and every replica (leader or not) sees
 * the same sequence. Events are published on the bus of the replica where they happen (the leader's
 * scheduler: deployments, status updates, instances; any replica: event_stream_attached/detached,
 * subscribe_event/unsubscribe_event), and every replica relays its own bus.
 *
 * The message is the event's SSE frame (`event: <type>\ndata: <json>\n\n`, sse.ts): serialized once
 * by the publishing replica's bus, turned into bytes once by each receiving replica and written as
 * those bytes to all of its clients.
 *
 * Bounded, and never in the publisher's way:
 * - the bus hands the relay events in a microtask; the relay's handler is synchronous (it starts a
 *   PUBLISH and returns), so its bus queue only holds one burst; if a burst ever overflows it, the
 *   relay subscribes again at once (the burst is counted as dropped);
 * - the publishing connection has no offline queue: while Redis is unreachable a PUBLISH fails at
 *   once, and PUBLISHes in flight are capped (`maxInFlight`); both drops are counted and logged
 *   (at most once per 10 s);
 * - pub/sub is at-most-once: events published while a replica is disconnected are lost for its
 *   clients (Marathon's advice holds: use events to invalidate and re-fetch). ioredis reconnects and
 *   resubscribes by itself; Redis itself disconnects a subscriber that reads too slowly
 *   (client-output-buffer-limit pubsub), which then reconnects;
 * - each stream client has its own bounded queue in `fanout` (EventBus semantics).
 */
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import { EventBus, type PublishedEvent, type Unsubscribe } from './event-bus';
import { parseSseFrame, sseFrame } from './sse';

export const EVENTS_CHANNEL = 'events';

export function eventsChannel(prefix: string): string {
  return `${prefix}:${EVENTS_CHANNEL}`;
}

export interface EventRelayOptions {
  readonly redisUrl: string;
  /** channel `<prefix>:events` (one per Pacer cluster; tests use one per run) */
  readonly prefix: string;
  /** PUBLISHes awaiting Redis's answer beyond which events are dropped (default 10,000) */
  readonly maxInFlight?: number;
  /** events of one synchronous burst the relay's bus queue holds (default 100,000) */
  readonly burst?: number;
  /** longest start() waits for Redis before going on without it (default 2,000 ms) */
  readonly connectTimeoutMs?: number;
  readonly registry?: Registry;
}

type DropReason = 'redis_unavailable' | 'in_flight_limit' | 'burst_overflow' | 'publish_failed';

export class EventRelay {
  /** Every replica's events, as they come back from Redis (this replica's own included). */
  readonly fanout = new EventBus();
  private readonly logger = new Logger('EventRelay');
  private readonly channel: string;
  private readonly maxInFlight: number;
  private readonly burst: number;
  private publisher: Redis | undefined;
  private subscriber: Redis | undefined;
  private unsubscribeBus: Unsubscribe | undefined;
  private inFlight = 0;
  private closed = false;
  private readonly published: Counter | undefined;
  private readonly received: Counter | undefined;
  private readonly dropped: Counter<'reason'> | undefined;
  private readonly stats = { published: 0, received: 0, dropped: 0 };
  private droppedSinceLog = 0;
  private lastDropLog = 0;
  private lastErrorLog = 0;

  constructor(private readonly opts: EventRelayOptions) {
    this.channel = eventsChannel(opts.prefix);
    this.maxInFlight = opts.maxInFlight ?? 10_000;
    this.burst = opts.burst ?? 100_000;
    if (opts.registry) {
      const registers = [opts.registry];
      this.published = new Counter({ name: 'pacer_events_relay_published_total', help: 'Events this replica published to the Redis fan-out channel', registers });
      this.received = new Counter({ name: 'pacer_events_relay_received_total', help: 'Events this replica received from the Redis fan-out channel (every replica’s)', registers });
      this.dropped = new Counter({
        name: 'pacer_events_relay_dropped_total',
        help: 'Events this replica could not publish to the Redis fan-out channel, by reason',
        labelNames: ['reason'],
        registers,
      });
    }
  }

  /** Counts since start (tests, benchmarks). */
  counts(): { readonly published: number; readonly received: number; readonly dropped: number } {
    return { ...this.stats };
  }

  /** Connects both Redis connections, subscribes the channel, starts relaying `bus`. Never fails for want of Redis. */
  async start(bus: EventBus): Promise<void> {
    const timeoutMs = this.opts.connectTimeoutMs ?? 2000;
    this.publisher = new Redis(this.opts.redisUrl, { enableOfflineQueue: false, enableAutoPipelining: true, maxRetriesPerRequest: 1, connectionName: 'pacer-events-pub' });
    this.subscriber = new Redis(this.opts.redisUrl, { maxRetriesPerRequest: null, connectionName: 'pacer-events-sub' });
    for (const c of [this.publisher, this.subscriber]) c.on('error', (err: Error) => this.logError(err));
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
    const subscribed = this.subscriber.subscribe(this.channel).catch((err: Error) => this.logError(err));
    const ready = new Promise<void>((resolve) => {
      if (this.publisher?.status === 'ready') resolve();
      else this.publisher?.once('ready', () => resolve());
    });
    await withTimeout(Promise.all([subscribed, ready]), timeoutMs);
    this.relay(bus);
  }

  /** Stops relaying and closes both connections (PUBLISHes in flight may be lost). */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribeBus?.();
    this.unsubscribeBus = undefined;
    this.fanout.onApplicationShutdown();
    await Promise.all([this.publisher, this.subscriber].map((c) => (c ? withTimeout(c.quit().catch(() => undefined), 1000).finally(() => c.disconnect()) : undefined)));
  }

  private relay(bus: EventBus): void {
    if (this.closed) return;
    this.unsubscribeBus = bus.subscribe(undefined, (e) => this.publish(e), {
      queueSize: this.burst,
      onOverflow: () => {
        this.drop('burst_overflow', this.burst + 1);
        this.relay(bus);
      },
    });
  }

  private publish(e: PublishedEvent): void {
    const redis = this.publisher;
    if (redis === undefined || redis.status !== 'ready') return this.drop('redis_unavailable');
    if (this.inFlight >= this.maxInFlight) return this.drop('in_flight_limit');
    this.inFlight++;
    redis.publish(this.channel, sseFrame(e.type, e.json)).then(
      () => {
        this.inFlight--;
        this.stats.published++;
        this.published?.inc();
      },
      (err: Error) => {
        this.inFlight--;
        this.drop('publish_failed');
        this.logError(err);
      },
    );
  }

  private receive(message: string): void {
    const parsed = parseSseFrame(message);
    if (parsed === undefined) return;
    this.stats.received++;
    this.received?.inc();
    this.fanout.publishSerialized({ type: parsed.type, json: parsed.json, frame: Buffer.from(message) });
  }

  private drop(reason: DropReason, n = 1): void {
    this.stats.dropped += n;
    this.dropped?.inc({ reason }, n);
    this.droppedSinceLog += n;
    const now = Date.now();
    if (now - this.lastDropLog >= 10_000) {
      this.logger.warn(`${this.droppedSinceLog} event(s) not relayed to other replicas (last reason: ${reason})`);
      this.droppedSinceLog = 0;
      this.lastDropLog = now;
    }
  }

  private logError(err: Error): void {
    const now = Date.now();
    if (this.closed || now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn(`Redis (event fan-out): ${err.message}`);
  }
}

/** Resolves when `p` settles or after `ms`, whichever is first (never rejects). */
function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    p.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
