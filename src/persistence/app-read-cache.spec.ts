import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { AppReadCache, type CachedApp, type CachedStatus } from './app-read-cache';
import { ChangeFeed, RESET_ALL } from './change-feed';

class ManualClock extends Clock {
  ms = 1_000_000;
  now(): Date {
    return new Date(this.ms);
  }
}

/** A cache on a feed that is up, with only the settings it reads. */
function cache(entries = 100, ttlMs = 30_000): { c: AppReadCache; feed: ChangeFeed; clock: ManualClock } {
  const config = { appCacheEntries: entries, appCacheTtlMs: ttlMs } as AppConfig;
  const feed = new ChangeFeed(config, false);
  feed.connected = true;
  const clock = new ManualClock();
  return { c: new AppReadCache(feed, config, clock), feed, clock };
}

const PORTS = [10001];
const app = (head = '{"id":"/a"'): CachedApp => ({ head, servicePorts: PORTS });
const status = (running: number, servicePorts: readonly number[] = PORTS): CachedStatus => ({ json: `,"tasksRunning":${running}`, servicePorts });
const running = (s: CachedStatus | undefined): number | undefined => (s === undefined ? undefined : Number(/"tasksRunning":(\d+)/.exec(s.json)?.[1]));

describe('AppReadCache', () => {
  it('caches the status part next to the definition part; a status change drops only the status', () => {
    const { c } = cache();
    const t = c.token();
    c.fill('/a', app(), t);
    c.fillStatus('/a', status(1), t);
    expect(c.get('/a')).toEqual(app());
    expect(running(c.getStatus('/a', PORTS))).toBe(1);
    c.statusChanged('/a');
    expect(c.getStatus('/a', PORTS)).toBeUndefined();
    expect(c.get('/a')).toEqual(app());
  });

  it('an app write drops both parts (a deleted app takes its last failure along; tasks show service ports)', () => {
    const { c } = cache();
    const t = c.token();
    c.fill('/a', app(), t);
    c.fillStatus('/a', status(1), t);
    c.changed('/a');
    expect(c.get('/a')).toBeUndefined();
    expect(c.getStatus('/a', PORTS)).toBeUndefined();
  });

  it('a status fill racing a status announcement is refused (the read began before the write was announced)', () => {
    const { c } = cache();
    const before = c.token(); // a GET starts its status read
    c.statusChanged('/a'); // the scheduler's write is announced meanwhile
    c.fillStatus('/a', status(0), before); // the read comes back with the old rows
    expect(c.getStatus('/a', PORTS)).toBeUndefined();
    const after = c.token();
    c.fillStatus('/a', status(1), after);
    expect(running(c.getStatus('/a', PORTS))).toBe(1);
  });

  it('a definition fill is not refused by a status change, a status fill is by an app change', () => {
    const { c } = cache();
    const t = c.token();
    c.statusChanged('/a');
    c.fill('/a', app(), t);
    expect(c.get('/a')).toBeDefined();
    const t2 = c.token();
    c.changed('/b');
    c.changed('/a');
    c.fillStatus('/a', status(1), t2);
    expect(c.getStatus('/a', PORTS)).toBeUndefined();
  });

  it('a read older than the forgotten stamps is refused; so is one older than a status reset', () => {
    const { c } = cache(2);
    const old = c.token();
    c.statusChanged('/x');
    c.statusChanged('/y');
    c.statusChanged('/z'); // the stamp of /x is forgotten: the floor rises past `old`
    c.fillStatus('/a', status(1), old);
    expect(c.getStatus('/a', PORTS)).toBeUndefined();
    const t = c.token();
    c.statusReset();
    c.fillStatus('/b', status(1), t);
    expect(c.getStatus('/b', PORTS)).toBeUndefined();
  });

  it('RESET_ALL on the status channel drops every status and no definition', () => {
    const { c, feed } = cache();
    const t = c.token();
    c.fill('/a', app(), t);
    c.fillStatus('/a', status(1), t);
    c.fillStatus('/b', status(2), t);
    feed.statusChanged(['/a']);
    expect(c.statusSize).toBe(1);
    feed.statusChanged([RESET_ALL]);
    expect(c.statusSize).toBe(0);
    expect(c.size).toBe(1);
  });

  it('a status built with other service ports is a miss; nothing is served or filled while the feed is down', () => {
    const { c, feed } = cache();
    c.fillStatus('/a', status(1, [10002]), c.token());
    expect(c.getStatus('/a', PORTS)).toBeUndefined();
    expect(c.getStatus('/a', [10002])).toBeDefined();
    feed.connected = false;
    expect(c.getStatus('/a', [10002])).toBeUndefined();
    c.fillStatus('/b', status(1), c.token());
    feed.connected = true;
    expect(c.getStatus('/b', PORTS)).toBeUndefined();
    c.reset(); // what the feed does when it goes down or reconnects
    expect(c.statusSize).toBe(0);
  });

  it('bounded: oldest status evicted first; a status lives at most the TTL', () => {
    const { c, clock } = cache(2, 1000);
    for (const id of ['/a', '/b', '/c']) c.fillStatus(id, status(1), c.token());
    expect(c.statusSize).toBe(2);
    expect(c.getStatus('/a', PORTS)).toBeUndefined();
    expect(c.getStatus('/c', PORTS)).toBeDefined();
    clock.ms += 1001;
    expect(c.getStatus('/c', PORTS)).toBeUndefined();
  });
});
