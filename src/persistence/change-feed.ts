import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CONNECT_DATABASE } from './persistence.module.tokens';

/** The Postgres channel every app write notifies, with the app id as payload. */
export const APP_CHANNEL = 'pacer_apps';

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
      for (const l of this.listeners) l.changed(msg.payload);
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
