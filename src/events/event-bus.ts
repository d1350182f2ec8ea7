import { Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { Metrics } from '../common/metrics';

/** Anything with an `eventType` can be published (Marathon's events: core/events/marathon-events.ts). */
export interface BusEvent {
  readonly eventType: string;
}

/** What subscribers get: the type and the event's JSON text, serialized once for all of them. */
export interface PublishedEvent {
  readonly type: string;
  readonly json: string;
  /**
   * The event's SSE frame (`event: <type>\ndata: <json>\n\n`) as bytes, when the publisher already has it
   * (the cross-replica fan-out builds it once per event for all its stream clients; see sse.ts).
   */
  readonly frame?: Buffer;
}

/**
 * Called once per event, in publish order. A handler that returns a promise gets the next event only
 * after it settles (an SSE writer awaits its socket's 'drain' this way); meanwhile events wait in its
 * queue. A thrown error or a rejection is reported to `onError` and delivery goes on.
 */
export type EventHandler = (event: PublishedEvent) => void | Promise<void>;

export interface SubscribeOptions {
  /** Events that may wait for this subscriber (the one being handled not counted); default 1,024. */
  readonly queueSize?: number;
  /** The queue overflowed: the subscriber has been dropped (no more events). Called once. */
  readonly onOverflow?: () => void;
  readonly onError?: (error: unknown) => void;
}

export type Unsubscribe = () => void;

/** Marathon's `--event_stream_max_outstanding_messages` default. */
export const DEFAULT_QUEUE_SIZE = 1024;

/**
 * One subscriber: a bounded FIFO (array + head index, compacted when half consumed) and a drain loop
 * that runs as a microtask after the publisher's synchronous work.
 */
class Subscription {
  private queue: PublishedEvent[] = [];
  private head = 0;
  private draining = false;
  closed = false;

  constructor(
    readonly types: ReadonlySet<string> | undefined,
    private readonly handler: EventHandler,
    private readonly capacity: number,
    private readonly onError: ((error: unknown) => void) | undefined,
    readonly onOverflow: (() => void) | undefined,
  ) {}

  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** false = the queue is full (the caller drops the subscriber). */
  offer(event: PublishedEvent): boolean {
    if (this.waiting >= this.capacity) return false;
    this.queue.push(event);
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => void this.drain());
    }
    return true;
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.head = 0;
  }

  private take(): PublishedEvent | undefined {
    if (this.head >= this.queue.length) return undefined;
    const event = this.queue[this.head++];
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return event;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.closed) return;
        const event = this.take();
        if (event === undefined) return;
        try {
          const r = this.handler(event);
          if (r !== undefined && typeof (r as Promise<void>).then === 'function') await r;
        } catch (error) {
          this.report(error);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private report(error: unknown): void {
    try {
      this.onError?.(error);
    } catch {
      // an error reporter that fails has nowhere left to report to
    }
  }
}

/**
 * The in-process event bus: whatever happens (deployments, instances, health, API writes) is published
 * here once, and the event stream (`/v2/events`), the cross-replica fan-out and tests subscribe.
 *
 * - `publish` serializes an event to JSON once, only when at least one subscriber wants its type, and
 *   queues the same text for every such subscriber; handlers run later (microtasks), never inside
 *   `publish`. It never throws (an event that cannot be serialized is logged and dropped).
 * - Each subscriber has its own bounded queue (default 1,024, Marathon's per-connection limit). A
 *   subscriber whose queue is full when an event arrives is dropped, as Marathon drops a slow SSE
 *   connection: its `onOverflow` runs (asynchronously) and nobody else waits for it.
 *
 * Not responsible for: SSE framing, filtering out Pacer-only types on the default stream (callers pass
 * MARATHON_EVENT_TYPES as the filter), cross-replica delivery.
 */
@Injectable()
export class EventBus implements OnApplicationShutdown {
  private readonly logger = new Logger('EventBus');
  private readonly subscriptions = new Set<Subscription>();
  private serialized = 0;
  private readonly published: Counter<'type'> | undefined;
  private readonly dropped: Counter | undefined;

  constructor(@Optional() metrics?: Metrics) {
    if (metrics) {
      const registry = metrics.registry;
      // One bus per process; the guard only keeps a second one (tests) from failing on registration.
      if (registry.getSingleMetric('pacer_events_published_total') === undefined) {
        this.published = new Counter({ name: 'pacer_events_published_total', help: 'Events published on the internal event bus, by type', labelNames: ['type'], registers: [registry] });
        this.dropped = new Counter({ name: 'pacer_event_subscribers_dropped_total', help: 'Event subscribers dropped because their queue overflowed', registers: [registry] });
        const count = (): number => this.subscriptions.size;
        new Gauge({
          name: 'pacer_event_subscribers',
          help: 'Subscribers of the internal event bus (event-stream connections included)',
          registers: [registry],
          collect() {
            this.set(count());
          },
        });
      }
    }
  }

  /** How many events have been serialized (one per published event that had a subscriber). */
  get serializations(): number {
    return this.serialized;
  }

  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  /** Publishes one event; returns how many subscribers it was queued for. */
  publish(event: BusEvent): number {
    try {
      const type = event.eventType;
      this.published?.inc({ type });
      let json: string | undefined;
      let delivered = 0;
      let overflowed: Subscription[] | undefined;
      for (const sub of this.subscriptions) {
        if (sub.types !== undefined && !sub.types.has(type)) continue;
        if (json === undefined) {
          json = JSON.stringify(event);
          this.serialized++;
        }
        if (sub.offer({ type, json })) delivered++;
        else (overflowed ??= []).push(sub);
      }
      if (overflowed) for (const sub of overflowed) this.drop(sub);
      return delivered;
    } catch (error) {
      this.logger.error(`event ${String((event as Partial<BusEvent> | undefined)?.eventType)} not published: ${String(error)}`);
      return 0;
    }
  }

  /**
   * Publishes an event that is already serialized (the cross-replica fan-out: events arrive from Redis
   * as text): the very same object is queued for every interested subscriber. Never throws.
   */
  publishSerialized(event: PublishedEvent): number {
    this.published?.inc({ type: event.type });
    let delivered = 0;
    let overflowed: Subscription[] | undefined;
    for (const sub of this.subscriptions) {
      if (sub.types !== undefined && !sub.types.has(event.type)) continue;
      if (sub.offer(event)) delivered++;
      else (overflowed ??= []).push(sub);
    }
    if (overflowed) for (const sub of overflowed) this.drop(sub);
    return delivered;
  }

  /**
   * Subscribes `handler` to the events whose type is in `filter` (undefined = every event). Returns
   * the unsubscribe function (idempotent; no handler call starts after it).
   */
  subscribe(filter: Iterable<string> | undefined, handler: EventHandler, options: SubscribeOptions = {}): Unsubscribe {
    const capacity = options.queueSize ?? DEFAULT_QUEUE_SIZE;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queueSize must be a positive integer, got ${capacity}`);
    const types = filter === undefined ? undefined : new Set(filter);
    const sub = new Subscription(types, handler, capacity, options.onError, options.onOverflow);
    this.subscriptions.add(sub);
    return () => {
      this.subscriptions.delete(sub);
      sub.close();
    };
  }

  onApplicationShutdown(): void {
    for (const sub of this.subscriptions) sub.close();
    this.subscriptions.clear();
  }

  private drop(sub: Subscription): void {
    if (!this.subscriptions.delete(sub)) return;
    sub.close();
    this.dropped?.inc();
    const onOverflow = sub.onOverflow;
    if (onOverflow) {
      queueMicrotask(() => {
        try {
          onOverflow();
        } catch (error) {
          this.logger.warn(`onOverflow failed: ${String(error)}`);
        }
      });
    }
  }
}
