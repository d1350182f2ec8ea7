import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CONNECT_DATABASE } from './persistence.module.tokens';

/** The Postgres channel app writes are announced on; payload: app ids separated by newlines. */
export const APP_CHANNEL = 'pacer_apps';
/**
 * The Postgres channel the leader's scheduler announces live-status writes on (instance records
 * and last task failures); payload: app ids separated by newlines.
 */
export const STATUS_CHANNEL = 'pacer_instances';
/** Payload entry meaning "drop everything" (sent when too many ids piled up to list them). */
export const RESET_ALL = '*';

export interface ChangeListener {
  /** An app's stored state (definition or deployments) changed; drop what you cached of it. */
  changed(appId: string): void;
  /** Notifications may have been missed (feed down or just reconnected): drop everything. */
  reset(): void;
  /** An app's live status (instances, last task failure) changed; only listeners that cache it implement this. */
  statusChanged?(appId: string): void;
  /** Too many status changes to list (RESET_ALL on the status channel): drop every cached status. */
  statusReset?(): void;
}

/**
 * Responsibilities: one dedicated LISTEN connection per replica, on both channels, that turns every
 * committed app write on any replica into `changed(appId)` calls and every announced status write of
 * the leader into `statusChanged(appId)` calls, so read caches stay coherent across replicas.
 * While the connection is down, `connected` is false and listeners were told to `reset`, so no
 * cache serves possibly stale data. Reconnects with capped backoff (0.1 s → 5 s).
 */
@Injectable()
export class ChangeFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ChangeFeed');
  private readonly listeners = new Set<ChangeListener>();
  private client: Client | undefined;
  private stopped = false;
  private retryMs = 100;
  private timer: NodeJS.Timeout | undefined;
  connected = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CONNECT_DATABASE) private readonly enabled: boolean,
  ) {}

  subscribe(listener: ChangeListener): void {
    this.listeners.add(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.enabled) await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.databaseUrl, connectionTimeoutMillis: 5000, keepAlive: true });
    const lost = (err?: Error) => this.lost(client, err);
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (msg) => {
      if (!msg.payload) return;
      if (msg.channel === APP_CHANNEL) {
        for (const id of msg.payload.split('\n')) {
          if (id === RESET_ALL) for (const l of this.listeners) l.reset();
          else for (const l of this.listeners) l.changed(id);
        }
      } else if (msg.channel === STATUS_CHANNEL) {
        this.statusChanged(msg.payload.split('\n'));
      }
    });
    try {
      await client.connect();
      // Two statements, app channel last (operators and tests find the feed by `LISTEN pacer_apps`).
      await client.query(`LISTEN ${STATUS_CHANNEL}`);
      await client.query(`LISTEN ${APP_CHANNEL}`);
      this.client = client;
      this.connected = true;
      this.retryMs = 100;
      // Writes committed before LISTEN took effect were not heard: start from nothing.
      for (const l of this.listeners) l.reset();
    } catch (err) {
      lost(err as Error);
    }
  }

  /**
   * Status changes of these apps (RESET_ALL = of every app), told to the listeners that cache status:
   * from the status channel, and directly by this replica's ChangeNotifier when it announces.
   */
  statusChanged(appIds: Iterable<string>): void {
    for (const id of appIds) {
      if (id === RESET_ALL) for (const l of this.listeners) l.statusReset?.();
      else for (const l of this.listeners) l.statusChanged?.(id);
    }
  }

  private lost(client: Client, err?: Error): void {
    if (this.client && this.client !== client) return;
    const wasConnected = this.connected;
    this.connected = false;
    this.client = undefined;
    for (const l of this.listeners) l.reset();
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.stopped || this.timer) return;
    if (wasConnected) this.logger.warn(`change feed lost (${err?.message ?? 'closed'}); caches off until it is back`);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(5000, this.retryMs * 2);
  }
}

/** Largest NOTIFY payload we send (Postgres allows 8000 bytes). */
const MAX_PAYLOAD = 7900;
/** Pending ids beyond this are replaced by one RESET_ALL. */
const MAX_PENDING = 10_000;

/**
 * Responsibilities: announce committed app writes (`announce`, channel `pacer_apps`) and the
 * leader's status writes (`announceStatus`, channel `pacer_instances`) to every replica, after
 * commit and in batches: the ids of one event-loop turn share one statement, payloads stay under
 * Postgres' limit, and more than MAX_PENDING ids waiting on a channel become one RESET_ALL.
 *
 * Why not NOTIFY inside the write transaction: Postgres serialises the commits of notifying
 * transactions behind one lock held through the WAL flush, which capped durable creates at one
 * fsync each (about 250/s here) instead of letting group commit batch them. Announcing after
 * commit keeps commits parallel; the cost is a window of a few milliseconds in which another
 * replica may still serve the old answer, and (if this process dies between commit and announce)
 * an entry that stays stale until its TTL (APP_CACHE_TTL_MS) ends it.
 */
@Injectable()
export class ChangeNotifier implements OnApplicationShutdown {
  private readonly logger = new Logger('ChangeNotifier');
  private readonly pending = new Map<string, Set<string>>([
    [APP_CHANNEL, new Set()],
    [STATUS_CHANNEL, new Set()],
  ]);
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly ds: DataSource,
    /** this replica's feed, told of status changes at once (absent: only the NOTIFY tells it) */
    @Optional() private readonly feed?: ChangeFeed,
  ) {}

  /** App writes (definition, deployments) of these apps committed. */
  announce(ids: Iterable<string>): void {
    this.enqueue(APP_CHANNEL, ids);
  }

  /**
   * Status writes (instance records, last task failures) of these apps committed. This replica's
   * caches forget them at once (its own reads see the write); the others when the NOTIFY arrives.
   */
  announceStatus(ids: Iterable<string>): void {
    const list = [...ids];
    if (list.length === 0) return;
    this.feed?.statusChanged(list.length > MAX_PENDING ? [RESET_ALL] : list);
    this.enqueue(STATUS_CHANNEL, list);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushing;
  }

  private enqueue(channel: string, ids: Iterable<string>): void {
    let pending = this.pending.get(channel) as Set<string>;
    for (const id of ids) pending.add(id);
    if (pending.size > MAX_PENDING) {
      pending = new Set([RESET_ALL]);
      this.pending.set(channel, pending);
    }
    if (pending.size > 0 && !this.flushing) this.flushing = this.flush();
  }

  private async flush(): Promise<void> {
    // Let the writes completing in this tick join the batch.
    await new Promise((r) => setImmediate(r));
    while (this.ds.isInitialized) {
      const channels: string[] = [];
      const payloads: string[] = [];
      let count = 0;
      for (const [channel, ids] of this.pending) {
        if (ids.size === 0) continue;
        this.pending.set(channel, new Set());
        count += ids.size;
        let cur = '';
        for (const id of ids) {
          if (cur && cur.length + id.length + 1 > MAX_PAYLOAD) {
            channels.push(channel);
            payloads.push(cur);
            cur = '';
          }
          cur = cur ? `${cur}\n${id}` : id;
        }
        if (cur) {
          channels.push(channel);
          payloads.push(cur);
        }
      }
      if (payloads.length === 0) break;
      try {
        await this.ds.query(`SELECT count(pg_notify(c, p)) FROM unnest($1::text[], $2::text[]) AS u(c, p)`, [channels, payloads]);
      } catch (err) {
        this.logger.warn(`could not announce ${count} change(s): ${(err as Error).message}`);
      }
    }
    this.flushing = undefined;
  }
}
