// The scheduler's leader writes are fenced by the leadership term: a replica whose term is no longer
// the current one (a paused old leader) cannot write instances or plan progress.
import { DataSource } from 'typeorm';
import { newInstance } from '../../src/core/instances';
import { FencedError } from '../../src/leader/fencing';
import { AppStore } from '../../src/persistence/app-store';
import { loadConfig } from '../../src/config/app-config';
import { ChangeFeed, ChangeNotifier } from '../../src/persistence/change-feed';
import { createDataSource } from '../../src/persistence/data-source';
import { InstanceStore } from '../../src/persistence/instance-store';
import { PgSchedulerStore } from '../../src/scheduler/scheduler-store';
import { createScratchDatabase, type ScratchDatabase } from './scratch-db';

describe('fenced scheduler writes', () => {
  let db: ScratchDatabase;
  let ds: DataSource;
  beforeAll(async () => {
    db = await createScratchDatabase();
    ds = createDataSource(db.url, 4);
    await ds.initialize();
    await ds.query('UPDATE leader_term SET term = 5 WHERE id = 1');
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const storeWithTerm = (term: number, fenced: FencedError[]): PgSchedulerStore =>
    new PgSchedulerStore(ds, new InstanceStore(ds), new AppStore(ds), new ChangeNotifier(ds, new ChangeFeed(loadConfig({ DATABASE_URL: db.url }), false)), { recordMany: async () => 0 }, undefined, {
      term,
      onFenced: (e) => fenced.push(e),
    });
  const instance = (id: string) => newInstance({ instanceId: `app.instance-${id}`, appId: '/app', appVersion: '2026-01-01T00:00:00.000Z', now: '2026-01-01T00:00:00.000Z' });
  const count = async (): Promise<number> => Number((await ds.query('SELECT count(*)::int AS n FROM instances'))[0].n);

  it('refuses a stale term, writes nothing, and says so', async () => {
    const fenced: FencedError[] = [];
    await expect(storeWithTerm(4, fenced).writeInstances([instance('a')], [])).rejects.toBeInstanceOf(FencedError);
    expect(fenced).toHaveLength(1);
    expect(fenced[0]).toMatchObject({ expected: 4, current: 5 });
    expect(await count()).toBe(0);
    await expect(storeWithTerm(4, fenced).finishDeployments(['00000000-0000-0000-0000-000000000000'])).rejects.toBeInstanceOf(FencedError);
  });

  it('writes under the current term', async () => {
    const fenced: FencedError[] = [];
    await storeWithTerm(5, fenced).writeInstances([instance('b'), instance('c')], []);
    expect(fenced).toEqual([]);
    expect(await count()).toBe(2);
    await storeWithTerm(5, fenced).writeInstances([], ['app.instance-b']);
    expect(await count()).toBe(1);
  });
});
