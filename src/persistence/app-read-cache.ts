import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ChangeFeed, ChangeListener } from './change-feed';

/** Taken before a database read; a fill with a stale token is refused. */
export interface CacheToken {
  readonly at: number;
}

/**
 * What is kept per app: the part of its `GET /v2/apps/{id}` answer that only app writes change
 * (definition and deployments, serialized but left open: `appHeadJson`) and its service ports. The
 * tasks and counts are not cached: the scheduler writes them without announcing it.
 */
export interface CachedApp {
  readonly head: string;
  readonly servicePorts: readonly number[];
}

/**
 * Responsibilities: the serialized definition part of the `GET /v2/apps/{id}` answers of recently
 * read apps, so hot reads need neither the app row nor its serialization. Coherent across replicas: every committed write
 * notifies Postgres' `pacer_apps` channel (ChangeFeed), which drops the entry here; while the feed is
 * down nothing is served or filled. A read racing a write cannot re-insert a stale answer: each
 * invalidation is stamped with a counter, and a fill is refused when its app was invalidated after
 * the read began. Stamps are kept for the most recent invalidations only; a read older than the
 * oldest stamp forgotten (`floor`) is refused, which is safe.
 * Bounded: at most APP_CACHE_ENTRIES answers and as many stamps, oldest evicted first; an answer
 * lives at most APP_CACHE_TTL_MS.
 */
@Injectable()
export class AppReadCache implements ChangeListener {
  private readonly entries = new Map<string, { value: CachedApp; at: number }>();
  private readonly stamps = new Map<string, number>();
  private counter = 0;
  private floor = 0;

  constructor(
    private readonly feed: ChangeFeed,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    feed.subscribe(this);
  }

  get(id: string): CachedApp | undefined {
    if (!this.feed.connected) return undefined;
    const e = this.entries.get(id);
    if (!e) return undefined;
    // Safety net for an announcement that never came (writer died between commit and announce).
    if (this.clock.now().getTime() - e.at > this.config.appCacheTtlMs) {
      this.entries.delete(id);
      return undefined;
    }
    return e.value;
  }

  token(): CacheToken {
    return { at: this.counter };
  }

  fill(id: string, value: CachedApp, token: CacheToken): void {
    if (!this.feed.connected || this.config.appCacheEntries === 0) return;
    if (token.at < this.floor || (this.stamps.get(id) ?? 0) > token.at) return;
    if (this.entries.size >= this.config.appCacheEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(id, { value, at: this.clock.now().getTime() });
  }

  changed(appId: string): void {
    this.counter++;
    this.entries.delete(appId);
    this.stamps.delete(appId);
    this.stamps.set(appId, this.counter);
    if (this.stamps.size > Math.max(1, this.config.appCacheEntries)) {
      const [oldest, stamp] = this.stamps.entries().next().value as [string, number];
      this.stamps.delete(oldest);
      this.floor = Math.max(this.floor, stamp);
    }
  }

  reset(): void {
    this.counter++;
    this.floor = this.counter;
    this.entries.clear();
    this.stamps.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
