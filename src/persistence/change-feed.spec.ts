import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CHANNEL, ChangeFeed, ChangeNotifier, RESET_ALL, STATUS_CHANNEL } from './change-feed';

/** A notifier on a data source that records its statements, and the feed it tells locally. */
function setup(): { notifier: ChangeNotifier; sent: Array<[string, string]>; heard: string[]; statements: () => number } {
  const sent: Array<[string, string]> = [];
  let statements = 0;
  const ds = {
    isInitialized: true,
    query: async (_sql: string, [channels, payloads]: [string[], string[]]) => {
      statements++;
      channels.forEach((c, i) => sent.push([c, payloads[i]]));
    },
  } as unknown as DataSource;
  const feed = new ChangeFeed({} as AppConfig, false);
  const heard: string[] = [];
  feed.subscribe({ changed: (id) => heard.push(`app ${id}`), reset: () => heard.push('reset'), statusChanged: (id) => heard.push(`status ${id}`), statusReset: () => heard.push('status reset') });
  return { notifier: new ChangeNotifier(ds, feed), sent, heard, statements: () => statements };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

describe('ChangeNotifier', () => {
  it('announces app and status changes of one event-loop turn in one statement, each on its channel', async () => {
    const { notifier, sent, statements } = setup();
    notifier.announce(['/a']);
    notifier.announceStatus(['/b', '/c']);
    notifier.announceStatus(new Set(['/c']));
    await settle();
    expect(statements()).toBe(1);
    expect(sent).toEqual([[APP_CHANNEL, '/a'], [STATUS_CHANNEL, '/b\n/c']]);
  });

  it("tells this replica's status listeners at once, app listeners never (their writers drop their own entries)", () => {
    const { notifier, heard } = setup();
    notifier.announceStatus(['/a']);
    notifier.announce(['/b']);
    expect(heard).toEqual(['status /a']);
  });

  it('splits long lists into payloads under the NOTIFY limit; too many ids become one RESET_ALL', async () => {
    const { notifier, sent, heard } = setup();
    const ids = Array.from({ length: 2000 }, (_, i) => `/group/app-${i}`);
    notifier.announceStatus(ids);
    await settle();
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.every(([c, p]) => c === STATUS_CHANNEL && p.length <= 7900)).toBe(true);
    expect(sent.flatMap(([, p]) => p.split('\n'))).toEqual(ids);
    sent.length = 0;
    heard.length = 0;
    notifier.announceStatus(Array.from({ length: 10_001 }, (_, i) => `/x-${i}`));
    await settle();
    expect(sent).toEqual([[STATUS_CHANNEL, RESET_ALL]]);
    expect(heard).toEqual(['status reset']);
  });
});
