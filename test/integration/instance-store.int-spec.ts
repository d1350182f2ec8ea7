import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { formatInstanceId, formatTaskId, newInstance, type Instance } from '../../src/core/instances';
import { createDataSource } from '../../src/persistence/data-source';
import { InstanceStore } from '../../src/persistence/instance-store';
import { uniqueGroup } from './harness';
import { TEST_DATABASE_URL } from './test-env';

/** Every optional field set (ids in Marathon's format). */
function full(appId: string, i = 0): Instance {
  const instanceId = formatInstanceId(appId, randomUUID());
  return {
    instanceId, appId, appVersion: '2026-11-22T02:04:48.120Z', goal: 'running', state: 'TASK_RUNNING', incarnation: 3,
    taskId: formatTaskId(instanceId, 3), agentId: `agent-${i}-S0`, host: `host-${i}.example`, hostPorts: [31000 + i, 31500],
    healthy: true, createdAt: '2026-11-22T01:00:00.000Z', stateSince: '2026-11-22T02:05:00.001Z', stagedAt: '2026-11-22T02:04:59.999Z',
    startedAt: '2026-11-22T02:05:00.001Z', unreachableSince: '2026-11-22T02:06:00.100Z',
    lastStatus: { state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION', message: "it's \"ok\" — ünïcode", healthy: true, at: '2026-11-22T02:05:00.001Z' },
  };
}

function minimal(appId: string, now = '2026-11-22T03:00:00.000Z'): Instance {
  return newInstance({ instanceId: formatInstanceId(appId, randomUUID()), appId, appVersion: '2026-11-22T02:00:00.000Z', now });
}

const byId = (a: Instance, b: Instance): number => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0);

describe('InstanceStore (Postgres)', () => {
  let ds: DataSource;
  let store: InstanceStore;
  const g = uniqueGroup('inst');

  beforeAll(async () => {
    ds = createDataSource(TEST_DATABASE_URL, 8);
    await ds.initialize();
    store = new InstanceStore(ds);
  });
  afterAll(async () => {
    await ds.query(`DELETE FROM instances WHERE app_id LIKE $1`, [`${g}/%`]);
    await ds.destroy();
  });

  it('round-trips every field, and absent optionals stay absent', async () => {
    const app = `${g}/roundtrip`;
    const a = full(app, 1);
    const b = minimal(app);
    // a separator of the packed load inside a field: that row is read again column by column
    const c: Instance = { ...full(app, 2), host: 'odd\x1fhost\x1e', healthy: false, hostPorts: [], lastStatus: { state: 'TASK_LOST', at: '2026-11-22T02:05:00.000Z' } };
    expect(await store.upsertMany([a, b, c])).toBe(3);
    expect(await store.get(a.instanceId)).toStrictEqual(a);
    expect(await store.get(b.instanceId)).toStrictEqual(b);
    expect(await store.get(c.instanceId)).toStrictEqual(c);
    expect(await store.get(`${a.instanceId}x`)).toBeUndefined();
    expect(await store.byApp(app)).toStrictEqual([a, b, c].sort(byId));
    const loaded = (await store.loadAll()).filter((x) => x.appId === app);
    expect(loaded).toStrictEqual([a, b, c].sort(byId));
    await ds.query('ANALYZE instances'); // histogram → loadAll reads ranges in parallel
    const parallel = (await store.loadAll(2, 3)).filter((x) => x.appId === app);
    expect(parallel).toStrictEqual([a, b, c].sort(byId));
  });

  it('upserts 5,000 in batches, updates half, deletes', async () => {
    const app = `${g}/batch`;
    const xs = Array.from({ length: 5000 }, () => minimal(app));
    expect(await store.upsertMany(xs)).toBe(5000);
    const updated = xs.slice(0, 2500).map((x, i) => ({ ...x, state: 'TASK_STAGING' as const, incarnation: 1, taskId: formatTaskId(x.instanceId, 1), hostPorts: [i] }));
    // listed twice: the last one wins
    const twice = { ...updated[0], host: 'second.example' };
    expect(await store.upsertMany([...updated, twice])).toBe(2500);
    const expected = [twice, ...updated.slice(1), ...xs.slice(2500)].sort(byId);
    expect(await store.byApp(app)).toStrictEqual(expected);
    expect((await store.countByApp([app])).get(app)).toEqual({ total: 5000, byState: { TASK_STAGING: 2500, scheduled: 2500 }, healthy: 0, unhealthy: 0 });

    const gone = xs.slice(1000, 3000).map((x) => x.instanceId);
    expect(await store.deleteMany([...gone, 'no-such-instance'])).toBe(2000);
    expect(await store.deleteMany([])).toBe(0);
    const left = await store.byApp(app);
    expect(left).toHaveLength(3000);
    expect(left.some((x) => gone.includes(x.instanceId))).toBe(false);
  });

  it('pages by instance id across page boundaries, each record once, from one snapshot', async () => {
    const app = `${g}/pages`;
    const xs = Array.from({ length: 2345 }, () => minimal(app));
    await store.upsertMany(xs);
    const sizes: number[] = [];
    const seen: string[] = [];
    let wroteDuring = false;
    for await (const page of store.pages(500)) {
      sizes.push(page.length);
      for (const x of page) if (x.appId === app) seen.push(x.instanceId);
      if (!wroteDuring) {
        // written after the load began: not in this load's snapshot
        wroteDuring = true;
        await store.upsertMany([{ ...minimal(app), instanceId: formatInstanceId(app, 'ffffffff-ffff-4fff-8fff-ffffffffffff') }]);
      }
    }
    expect(sizes.slice(0, -1).every((n) => n === 500)).toBe(true);
    expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(500);
    expect(seen).toEqual(xs.map((x) => x.instanceId).sort());
    // ordered strictly across the whole load
    await ds.query('ANALYZE instances');
    const all = (await store.loadAll(777, 4)).map((x) => x.instanceId);
    expect(all.every((id, i) => i === 0 || all[i - 1] < id)).toBe(true);
    expect(all.filter((id) => id.startsWith(xs[0].instanceId.split('.instance-')[0]))).toHaveLength(2346);
  });

  it('stopping a load early returns its connection', async () => {
    for (let i = 0; i < 10; i++) {
      for await (const page of store.pages(10)) {
        expect(page.length).toBeGreaterThan(0);
        break;
      }
    }
    expect(await store.byApp(`${g}/none`)).toEqual([]);
  });

  it('byApp returns one app only; countByApp counts states and health per app', async () => {
    const [one, two, none] = [`${g}/count-one`, `${g}/count-one-two`, `${g}/count-none`];
    await store.upsertMany([
      full(one, 1), { ...full(one, 2), healthy: false }, { ...full(one, 3), healthy: undefined }, minimal(one),
      { ...minimal(two), goal: 'stopped' },
    ]);
    expect((await store.byApp(one)).map((x) => x.appId)).toEqual([one, one, one, one]);
    expect((await store.byApp(two)).map((x) => x.appId)).toEqual([two]);
    const counts = await store.countByApp([one, two, none, one]);
    expect([...counts.keys()].sort()).toEqual([one, none, two].sort());
    expect(counts.get(one)).toEqual({ total: 4, byState: { TASK_RUNNING: 3, scheduled: 1 }, healthy: 1, unhealthy: 1 });
    expect(counts.get(two)).toEqual({ total: 1, byState: { scheduled: 1 }, healthy: 0, unhealthy: 0 });
    expect(counts.get(none)).toEqual({ total: 0, byState: {}, healthy: 0, unhealthy: 0 });
    expect((await store.countByApp([])).size).toBe(0);
  });
});
