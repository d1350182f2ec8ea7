import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CONNECT_DATABASE } from './persistence.module.tokens';

/** The Postgres channel app writes are announced on; payload: app ids separated by newlines. */
export const APP_CHANNEL = 'pacer_apps';
/** Payload entry meaning "drop everything" (sent when too many ids piled up to list them). */
export const RESET_ALL = '*';

export interface ChangeListener {
  /** An app's stored state (definition or deployments) changed; drop what you cached of it. */
  changed(appId: string): void;
  /** Notifications may have been missed (feed down or just reconnected): drop everything. */
  reset(): void;
}

/**
 * Responsibilities: one dedicated LISTEN connection per replica that turns every committed app
 * write on any replica into `changed(appId)` calls, so read caches stay coherent across replicas.
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
      if (msg.channel !== APP_CHANNEL || !msg.payload) return;
      for (const id of msg.payload.split('\n')) {
        if (id === RESET_ALL) for (const l of this.listeners) l.reset();
        else for (const l of this.listeners) l.changed(id);
      }
    });
    try {
      await client.connect();
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
 * Responsibilities: announce committed app writes to every replica, after commit and in batches.
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
  private pending = new Set<string>();
  private flushing: Promise<void> | undefined;

  constructor(private readonly ds: DataSource) {}

  announce(ids: Iterable<string>): void {
    for (const id of ids) this.pending.add(id);
    if (this.pending.size > MAX_PENDING) this.pending = new Set([RESET_ALL]);
    if (!this.flushing) this.flushing = this.flush();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushing;
  }

  private async flush(): Promise<void> {
    // Let the writes completing in this tick join the batch.
    await new Promise((r) => setImmediate(r));
    while (this.pending.size > 0 && this.ds.isInitialized) {
      const ids = [...this.pending];
      this.pending = new Set();
      const payloads: string[] = [];
      let cur = '';
      for (const id of ids) {
        if (cur && cur.length + id.length + 1 > MAX_PAYLOAD) {
          payloads.push(cur);
          cur = '';
        }
        cur = cur ? `${cur}\n${id}` : id;
      }
      if (cur) payloads.push(cur);
      try {
        await this.ds.query(`SELECT count(pg_notify('${APP_CHANNEL}', p)) FROM unnest($1::text[]) p`, [payloads]);
      } catch (err) {
        this.logger.warn(`could not announce ${ids.length} app change(s): ${(err as Error).message}`);
      }
    }
    this.flushing = undefined;
  }
}
