import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { Clock } from '../common/clock';
import { Metrics } from '../common/metrics';
import { parseOptionalString } from '../common/query';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MARATHON_EVENT_TYPE_SET, subscribe, unsubscribe, type SubscribeEvent, type UnsubscribeEvent } from '../core/events/marathon-events';
import { DomainError } from '../core/errors';
import { CONNECT_DATABASE } from '../persistence/persistence.module.tokens';
import { CallbackProducer, CallbackWorker, emptyCallbackStats, type CallbackStats } from './event-callbacks';
import { EventBus, type Unsubscribe } from './event-bus';
import { EventRelay } from './event-relay';
import { EventSubscriptionStore } from './event-subscription-store';

/** The event queue of the bus subscription that feeds the callback queue: one synchronous burst. */
const BURST = 100_000;
/** The subscriber list is reloaded this often besides on every subscribe/unsubscribe event. */
const REFRESH_MS = 30_000;

/**
 * Marathon's HTTP event callbacks (`/v2/eventSubscriptions`): the subscriptions (Postgres, cached per
 * replica), subscribe_event / unsubscribe_event on the bus, and deliveries through the BullMQ
 * `event-callbacks` queue (event-callbacks.ts: why the replica where an event happens enqueues it,
 * and the bounds that keep a dead subscriber from slowing anything down). Every replica works the
 * queue.
 *
 * The cached list: loaded at start, replaced on this replica's own (un)subscribe at once, reloaded
 * when a subscribe_event / unsubscribe_event arrives through the Redis fan-out (any replica's) and
 * every 30 s.
 */
@Injectable()
export class EventSubscriptionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventCallbacks');
  private urls: readonly string[] = [];
  private readonly stats: CallbackStats = emptyCallbackStats();
  private producer: CallbackProducer | undefined;
  private worker: CallbackWorker | undefined;
  private readonly stops: Unsubscribe[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private lastErrorLog = 0;
  private closed = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CONNECT_DATABASE) private readonly connect: boolean,
    private readonly store: EventSubscriptionStore,
    private readonly bus: EventBus,
    private readonly relay: EventRelay,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    const registers = [metrics.registry];
    const stats = this.stats;
    const subscribers = (): number => this.urls.length;
    new Gauge({ name: 'pacer_event_callback_subscribers', help: 'Callback URLs subscribed (/v2/eventSubscriptions), as this replica knows them', registers, collect() { this.set(subscribers()); } });
    new Counter({
      name: 'pacer_event_callbacks_total',
      help: 'Event callbacks on this replica by outcome: enqueued, dropped_backlog (the URL had its cap queued), dropped_unavailable (Redis), delivered, failed_attempt, gave_up, short_circuited (failed at once: the URL’s circuit breaker was open), deferred (its URL busy)',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        this.inc({ outcome: 'enqueued' }, stats.enqueued);
        this.inc({ outcome: 'dropped_backlog' }, stats.droppedBacklog);
        this.inc({ outcome: 'dropped_unavailable' }, stats.droppedUnavailable);
        this.inc({ outcome: 'delivered' }, stats.delivered);
        this.inc({ outcome: 'failed_attempt' }, stats.failedAttempts);
        this.inc({ outcome: 'gave_up' }, stats.gaveUp);
        this.inc({ outcome: 'short_circuited' }, stats.shortCircuited);
        this.inc({ outcome: 'deferred' }, stats.deferred);
      },
    });
  }

  /** The callback URLs as this replica knows them now (cached). */
  callbackUrls(): readonly string[] {
    return this.urls;
  }

  /** Counts since start (tests). */
  counts(): Readonly<CallbackStats> {
    return { ...this.stats };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.connect) return;
    const c = this.config;
    const conn = { redisUrl: c.redisUrl, prefix: c.eventsRedisPrefix };
    const onError = (err: Error): void => this.logError(err);
    this.producer = new CallbackProducer({ ...conn, maxQueuedPerSubscriber: c.eventCallbackMaxQueued, attempts: c.eventCallbackAttempts, stats: this.stats, onError });
    this.worker = new CallbackWorker({ ...conn, timeoutMs: c.eventCallbackTimeoutMs, name: c.advertisedAddress, stats: this.stats, onError });
    await this.refresh();
    this.feed();
    this.stops.push(this.relay.fanout.subscribe(['subscribe_event', 'unsubscribe_event'], () => this.refresh()));
    this.refreshTimer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.refreshTimer.unref();
    await this.producer.ready(2000);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.refreshTimer);
    for (const stop of this.stops.splice(0)) stop();
    await Promise.all([this.worker?.close(), this.producer?.close()]);
  }

  /** `GET /v2/eventSubscriptions` */
  async list(): Promise<{ callbackUrls: string[] }> {
    return { callbackUrls: await this.store.list() };
  }

  /** `POST /v2/eventSubscriptions?callbackUrl=`: Marathon answers with the subscribe_event (subscribing twice is no error). */
  async subscribe(clientIp: string, callbackUrl: unknown): Promise<SubscribeEvent> {
    const url = callbackUrlOf(callbackUrl);
    await this.store.add(url, clientIp);
    if (!this.urls.includes(url)) this.urls = [...this.urls, url];
    const event = subscribe(clientIp, url, this.clock.now());
    this.bus.publish(event);
    return event;
  }

  /** `DELETE /v2/eventSubscriptions?callbackUrl=`: the unsubscribe_event, subscribed or not (as Marathon). */
  async unsubscribe(clientIp: string, callbackUrl: unknown): Promise<UnsubscribeEvent> {
    const url = callbackUrlOf(callbackUrl);
    if (await this.store.remove(url)) void this.producer?.forget(url);
    this.urls = this.urls.filter((u) => u !== url);
    const event = unsubscribe(clientIp, url, this.clock.now());
    this.bus.publish(event); // the URL just removed gets no copy (Marathon removes it before publishing)
    return event;
  }

  /** Enqueues every Marathon event published on this replica's bus for the subscribed URLs. */
  private feed(): void {
    if (this.closed) return;
    this.stops.push(
      this.bus.subscribe(MARATHON_EVENT_TYPE_SET, (e) => this.producer?.enqueue(e, this.urls), {
        queueSize: BURST,
        onOverflow: () => {
          this.stats.droppedUnavailable += (BURST + 1) * this.urls.length;
          this.logger.warn(`more than ${BURST} events in one burst: some were not queued for callbacks`);
          this.feed();
        },
      }),
    );
  }

  private async refresh(): Promise<void> {
    try {
      this.urls = await this.store.list();
    } catch (err) {
      this.logError(err as Error);
    }
  }

  private logError(err: Error): void {
    const now = Date.now();
    if (this.closed || now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn(`event callbacks: ${err.message}`);
  }
}

/** The `callbackUrl` parameter: required, an absolute http(s) URL. */
function callbackUrlOf(value: unknown): string {
  const raw = parseOptionalString(value, 'callbackUrl');
  if (raw === undefined || raw.trim() === '') throw DomainError.badRequest("Query parameter 'callbackUrl' is required");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw DomainError.badRequest(`callbackUrl is not a valid URL: '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw DomainError.badRequest(`callbackUrl must be an http or https URL, got '${raw}'`);
  return raw;
}
