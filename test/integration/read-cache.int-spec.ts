import { AppReadCache } from '../../src/persistence/app-read-cache';
import { ChangeFeed } from '../../src/persistence/change-feed';
import { Client } from 'pg';
import { startTestApp, TestApp, uniqueGroup } from './harness';
import { TEST_DATABASE_URL } from './test-env';

/** Polls `fn` until it returns true, or fails after `ms`. */
async function eventually(fn: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('single-app read cache across replicas', () => {
  let a: TestApp;
  let b: TestApp;
  const g = uniqueGroup('cache');
  const env = { MAX_RUNNING_DEPLOYMENTS: '100000' };

  beforeAll(async () => {
    a = await startTestApp(env);
    b = await startTestApp(env);
    await eventually(async () => a.app.get(ChangeFeed).connected && b.app.get(ChangeFeed).connected);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('a write on one replica is seen by a cached read on another', async () => {
    const id = `${g}/web`;
    expect((await a.request('POST', '/v2/apps', { id, cmd: 'sleep 1000', cpus: 0.1, mem: 16 })).status).toBe(201);
    // The first read may race the create's notification (then it is not cached): read until cached.
    await eventually(async () => (await b.request('GET', `/v2/apps${id}`)).body.app.instances === 1 && b.app.get(AppReadCache).get(id) !== undefined);
    expect((await a.request('PUT', `/v2/apps${id}?force=true`, { instances: 4 })).status).toBe(200);
    await eventually(async () => (await b.request('GET', `/v2/apps${id}`)).body.app.instances === 4);
  });

  it('the writing replica reads its own write at once, deployments included', async () => {
    const id = `${g}/own`;
    await a.request('POST', '/v2/apps', { id, cmd: 'sleep 1000', cpus: 0.1, mem: 16 });
    await a.request('GET', `/v2/apps${id}`);
    const res = await a.request('PUT', `/v2/apps${id}?force=true`, { cmd: 'sleep 5' });
    const app = (await a.request('GET', `/v2/apps${id}`)).body.app;
    expect(app.cmd).toBe('sleep 5');
    expect(app.deployments).toEqual([{ id: res.body.deploymentId }]);
    await a.request('DELETE', `/v2/deployments/${res.body.deploymentId}?force=true`);
    expect((await a.request('GET', `/v2/apps${id}`)).body.app.deployments).toEqual([]);
  });

  it('a deleted app is gone from the other replica cache too', async () => {
    const id = `${g}/gone`;
    await a.request('POST', '/v2/apps', { id, cmd: 'sleep 1000', cpus: 0.1, mem: 16 });
    expect((await b.request('GET', `/v2/apps${id}`)).status).toBe(200);
    await a.request('DELETE', `/v2/apps${id}`);
    await eventually(async () => (await b.request('GET', `/v2/apps${id}`)).status === 404);
  });

  it('serves nothing from the cache while the change feed is down', async () => {
    const id = `${g}/feed`;
    await a.request('POST', '/v2/apps', { id, cmd: 'sleep 1000', cpus: 0.1, mem: 16 });
    const cache = b.app.get(AppReadCache);
    const feed = b.app.get(ChangeFeed);
    await eventually(async () => (await b.request('GET', `/v2/apps${id}`)).status === 200 && cache.get(id) !== undefined);
    // What the feed does when its connection drops: caches reset, nothing served until it is back.
    cache.reset();
    feed.connected = false;
    try {
      await b.request('GET', `/v2/apps${id}`);
      expect(cache.get(id)).toBeUndefined();
      expect(cache.size).toBe(0);
    } finally {
      feed.connected = true;
    }
  });

  it('when Postgres drops the feed connection, the cache empties, the feed reconnects, coherence holds', async () => {
    const id = `${g}/drop`;
    await a.request('POST', '/v2/apps', { id, cmd: 'sleep 1000', cpus: 0.1, mem: 16 });
    const cache = b.app.get(AppReadCache);
    await eventually(async () => (await b.request('GET', `/v2/apps${id}`)).status === 200 && cache.get(id) !== undefined);
    const pg = new Client({ connectionString: TEST_DATABASE_URL });
    await pg.connect();
    try {
      const killed = await pg.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN pacer_apps'`);
      expect(killed.rowCount).toBeGreaterThanOrEqual(2);
    } finally {
      await pg.end();
    }
    await eventually(async () => cache.get(id) === undefined);
    await eventually(async () => b.app.get(ChangeFeed).connected && a.app.get(ChangeFeed).connected);
    await a.request('PUT', `/v2/apps${id}?force=true`, { instances: 3 });
    await eventually(async () => (await b.request('GET', `/v2/apps${id}`)).body.app.instances === 3);
  });
});
