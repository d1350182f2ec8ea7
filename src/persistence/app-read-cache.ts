import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ChangeFeed, ChangeListener } from './change-feed';

/** Taken before a database read; a fill with a stale token is refused. */
export interface CacheToken {
  readonly at: number;
}

/**
 * The definition part of an app's `GET /v2/apps/{id}` answer, which only app writes change
 * (definition and deployments, serialized but left open: `appHeadJson`), and its service ports.
 */
export interface CachedApp {
  readonly head: string;
  readonly servicePorts: readonly number[];
}

/**
 * The live-status part of the answer (counts, tasks, last failure: `appLiveJson`), serialized, to
 * follow the head. The tasks' JSON shows the app's service ports: `servicePorts` are the ones it
 * was built with.
 */
export interface CachedStatus {
  readonly json: string;
  readonly servicePorts: readonly number[];
}

/**
 * One kind of cached value with its invalidation stamps. A fill is refused when its key was
 * invalidated after its token was taken (`stamps`), or when its token is older than the newest
 * stamp forgotten to keep the stamps bounded (`floor`).
 */
class Stamped<V> {
  readonly entries = new Map<string, { value: V; at: number }>();
  private readonly stamps = new Map<string, number>();
  private floor = 0;

  get(id: string, nowMs: number, ttlMs: number): V | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    // Safety net for an announcement that never came (writer died between commit and announce).
    if (nowMs - e.at > ttlMs) {
      this.entries.delete(id);
      return undefined;
    }
    return e.value;
  }

  fill(id: string, value: V, token: CacheToken, nowMs: number, capacity: number): void {
    if (token.at < this.floor || (this.stamps.get(id) ?? 0) > token.at) return;
    // Re-inserted at the end: the oldest fill is evicted first.
    this.entries.delete(id);
    if (this.entries.size >= capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(id, { value, at: nowMs });
  }

  invalidate(id: string, stamp: number, capacity: number): void {
    this.entries.delete(id);
    this.stamps.delete(id);
    this.stamps.set(id, stamp);
    if (this.stamps.size > Math.max(1, capacity)) {
      const [oldest, forgotten] = this.stamps.entries().next().value as [string, number];
      this.stamps.delete(oldest);
      this.floor = Math.max(this.floor, forgotten);
    }
  }

  clear(stamp: number): void {
    this.floor = stamp;
    this.entries.clear();
    this.stamps.clear();
  }
}

/**
 * Responsibilities: the serialized `GET /v2/apps/{id}` answers of recently read apps, in two parts
 * with their own invalidations, so a hot read needs no database round trip and no serialization:
 *  - the definition part (`get`/`fill`), dropped by app writes (`changed`);
 *  - the live status (`getStatus`/`fillStatus`: counts, tasks, last failure), dropped by the
 *    scheduler's announced instance and failure writes (`statusChanged`) and by app writes too
 *    (deleting an app deletes its last failure; tasks show the app's service ports).
 * Coherent across replicas: every committed write is announced on Postgres' `pacer_apps` or
 * `pacer_instances` channel (ChangeNotifier → ChangeFeed); while the feed is down nothing is served
 * or filled. A read racing a write cannot re-insert a stale answer: each invalidation is stamped
 * with a counter shared by both parts, and a fill is refused when its app was invalidated after
 * the read began (the token). Stamps are kept for the most recent invalidations only; a read older
 * than the oldest stamp forgotten (`floor`) is refused, which is safe.
 * Bounded: each part holds at most APP_CACHE_ENTRIES values and as many stamps, oldest evicted
 * first; a value lives at most APP_CACHE_TTL_MS.
 */
@Injectable()
export class AppReadCache implements ChangeListener {
  private readonly apps = new Stamped<CachedApp>();
  private readonly statuses = new Stamped<CachedStatus>();
  private counter = 0;

  constructor(
    private readonly feed: ChangeFeed,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    feed.subscribe(this);
  }

  get(id: string): CachedApp | undefined {
    if (!this.feed.connected) return undefined;
    return this.apps.get(id, this.clock.now().getTime(), this.config.appCacheTtlMs);
  }

  /** The cached status of an app, if it was built with these service ports. */
  getStatus(id: string, servicePorts: readonly number[]): CachedStatus | undefined {
    if (!this.feed.connected) return undefined;
    const s = this.statuses.get(id, this.clock.now().getTime(), this.config.appCacheTtlMs);
    return s !== undefined && samePorts(s.servicePorts, servicePorts) ? s : undefined;
  }

  /** Take before the database reads whose results are filled in (either part). */
  token(): CacheToken {
    return { at: this.counter };
  }

  fill(id: string, value: CachedApp, token: CacheToken): void {
    if (!this.feed.connected || this.config.appCacheEntries === 0) return;
    this.apps.fill(id, value, token, this.clock.now().getTime(), this.config.appCacheEntries);
  }

  fillStatus(id: string, value: CachedStatus, token: CacheToken): void {
    if (!this.feed.connected || this.config.appCacheEntries === 0) return;
    this.statuses.fill(id, value, token, this.clock.now().getTime(), this.config.appCacheEntries);
  }

  changed(appId: string): void {
    this.counter++;
    this.apps.invalidate(appId, this.counter, this.config.appCacheEntries);
    this.statuses.invalidate(appId, this.counter, this.config.appCacheEntries);
  }

  statusChanged(appId: string): void {
    this.counter++;
    this.statuses.invalidate(appId, this.counter, this.config.appCacheEntries);
  }

  reset(): void {
    this.counter++;
    this.apps.clear(this.counter);
    this.statuses.clear(this.counter);
  }

  statusReset(): void {
    this.counter++;
    this.statuses.clear(this.counter);
  }

  /** Definition parts held. */
  get size(): number {
    return this.apps.entries.size;
  }

  /** Status parts held. */
  get statusSize(): number {
    return this.statuses.entries.size;
  }
}

function samePorts(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
