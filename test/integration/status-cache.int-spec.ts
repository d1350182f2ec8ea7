import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { formatInstanceId, formatTaskId, type Instance, type InstanceState, type TaskFailure } from '../../src/core/instances';
import { AppReadCache } from '../../src/persistence/app-read-cache';
import { AppStore } from '../../src/persistence/app-store';
import { ChangeFeed, ChangeNotifier } from '../../src/persistence/change-feed';
import { InstanceStore, type AppTaskStatus } from '../../src/persistence/instance-store';
import { TaskFailureStore } from '../../src/persistence/task-failure-store';
import { PgSchedulerStore } from '../../src/scheduler/scheduler-store';
import { startTestApp, TestApp, uniqueGroup } from './harness';

/** Polls `fn` until it returns true, or fails after `ms`. */
async function eventually(fn: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const T0 = '2026-01-01T00:00:00.000Z';

function instance(appId: string, version: string, state: InstanceState): Instance {
  const instanceId = formatInstanceId(appId, randomUUID());
  return {
    instanceId, appId, appVersion: version, goal: 'running', state, incarnation: 1,
    taskId: formatTaskId(instanceId, 1), agentId: 'agent-1', host: 'node-1', stagedAt: '2026-01-01T00:00:01.000Z',
    ...(state === 'TASK_RUNNING' ? { startedAt: '2026-01-01T00:00:02.000Z' } : {}),
    hostPorts: [31000], createdAt: T0, stateSince: T0,
  };
}

function failure(appId: string, version: string, message: string): TaskFailure {
  return { appId, host: 'node-1', message, state: 'TASK_FAILED', taskId: `${appId.slice(1).replaceAll('/', '_')}.instance-x._app.1`, timestamp: T0, version, slaveId: 'agent-1' };
}

/** The leader's store of a replica, as SchedulerService builds it: writes, then announces. */
function schedulerStore(r: TestApp): PgSchedulerStore {
  const get = <T>(cls: new (...args: never[]) => T): T => r.app.get(cls as never);
  const failures = get(TaskFailureStore);
  const sink = { recordMany: async (f: readonly TaskFailure[]): Promise<void> => void (await failures.recordMany(f)) };
  return new PgSchedulerStore(get(DataSource), get(InstanceStore), get(AppStore), get(ChangeNotifier), sink);
}

describe('live status of single-app answers, cached per replica and invalidated by the scheduler', () => {
  let a: TestApp; // plays the leader: its scheduler store writes and announces
  let b: TestApp; // another replica serving reads
  let leader: PgSchedulerStore;
  const g = uniqueGroup('status');
  const env = { MAX_RUNNING_DEPLOYMENTS: '100000' };

  beforeAll(async () => {
    a = await startTestApp(env);
    b = await startTestApp(env);
    leader = schedulerStore(a);
    await eventually(() => a.app.get(ChangeFeed).connected && b.app.get(ChangeFeed).connected);
  });
  afterAll(async () => {
    const pool = (a.app.get(DataSource).driver as unknown as { master: Pool }).master;
    await pool.query(`DELETE FROM instances WHERE app_id LIKE $1`, [`${g}/%`]);
    await a.close();
    await b.close();
  });

  async function createApp(id: string): Promise<{ id: string; version: string; servicePorts: number[] }> {
    const res = await a.request('POST', '/v2/apps', { id, cmd: 'sleep 1000', cpus: 0.1, mem: 16, portDefinitions: [{ port: 0 }] });
    expect(res.status).toBe(201);
    return { id, version: res.body.version, servicePorts: res.body.portDefinitions.map((p: { port: number }) => p.port) };
  }

  /** GETs on `r` until both parts of the answer are cached there. */
  async function cachedOn(r: TestApp, id: string): Promise<void> {
    const cache = r.app.get(AppReadCache);
    await eventually(async () => {
      await r.request('GET', `/v2/apps${id}`);
      const head = cache.get(id);
      return head !== undefined && cache.getStatus(id, head.servicePorts) !== undefined;
    });
  }

  it('a cached GET on another replica shows the new counts, tasks and failure once the leader announces its writes', async () => {
    const app = await createApp(`${g}/web`);
    await cachedOn(b, app.id);
    expect((await b.request('GET', `/v2/apps${app.id}`)).body.app).toMatchObject({ tasksRunning: 0, tasksStaged: 0, tasks: [] });

    const x = instance(app.id, app.version, 'TASK_RUNNING');
    const y = instance(app.id, app.version, 'TASK_STAGING');
    await leader.writeInstances([x, y], []);
    leader.announceStatus([app.id]);
    await eventually(async () => (await b.request('GET', `/v2/apps${app.id}`)).body.app.tasksRunning === 1, 2000);
    const shown = (await b.request('GET', `/v2/apps${app.id}`)).body.app;
    expect(shown).toMatchObject({ tasksRunning: 1, tasksStaged: 1 });
    expect(shown.tasks.map((t: { id: string; servicePorts: number[] }) => [t.id, t.servicePorts]).sort()).toEqual(
      [[x.taskId, app.servicePorts], [y.taskId, app.servicePorts]].sort(),
    );

    await cachedOn(b, app.id);
    await leader.writeInstances([{ ...y, state: 'TASK_RUNNING', startedAt: '2026-01-01T00:00:05.000Z' }], [x.instanceId]);
    leader.announceStatus([app.id]);
    await eventually(async () => {
      const s = (await b.request('GET', `/v2/apps${app.id}`)).body.app;
      return s.tasksRunning === 1 && s.tasksStaged === 0 && s.tasks[0]?.id === y.taskId;
    }, 2000);

    await cachedOn(b, app.id);
    await leader.recordFailures([failure(app.id, app.version, 'boom')]);
    leader.announceStatus([app.id]);
    await eventually(async () => (await b.request('GET', `/v2/apps${app.id}`)).body.app.lastTaskFailure?.message === 'boom', 2000);
  });

  it('the writing replica sees its own announced write at once', async () => {
    const app = await createApp(`${g}/own`);
    await cachedOn(a, app.id);
    await leader.writeInstances([instance(app.id, app.version, 'TASK_RUNNING')], []);
    leader.announceStatus([app.id]);
    expect((await a.request('GET', `/v2/apps${app.id}`)).body.app.tasksRunning).toBe(1);
  });

  it('a cache hit does no database round trip', async () => {
    const app = await createApp(`${g}/hit`);
    await cachedOn(b, app.id);
    const pool = (b.app.get(DataSource).driver as unknown as { master: Pool }).master;
    const query = jest.spyOn(pool, 'query');
    const connect = jest.spyOn(pool, 'connect');
    try {
      for (let i = 0; i < 5; i++) expect((await b.request('GET', `/v2/apps${app.id}`)).status).toBe(200);
      expect(query).not.toHaveBeenCalled();
      expect(connect).not.toHaveBeenCalled();
    } finally {
      query.mockRestore();
      connect.mockRestore();
    }
  });

  it('a status read racing an announced write is not cached stale', async () => {
    const app = await createApp(`${g}/race`);
    await cachedOn(b, app.id);
    const cache = b.app.get(AppReadCache);
    const ports = cache.get(app.id)!.servicePorts;
    // Drop b's cached status (an announcement without a change), so the next GET reads it.
    leader.announceStatus([app.id]);
    await eventually(() => cache.getStatus(app.id, ports) === undefined);

    // b's next status read runs against the old rows, then waits until the write was announced.
    const instances = b.app.get(InstanceStore);
    const original = instances.appStatuses.bind(instances);
    let readDone!: () => void;
    const read = new Promise<void>((r) => (readDone = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const spy = jest.spyOn(instances, 'appStatuses').mockImplementationOnce(async (ids): Promise<Map<string, AppTaskStatus>> => {
      const result = await original(ids);
      readDone();
      await gate;
      return result;
    });
    const heard = jest.spyOn(cache, 'statusChanged');
    try {
      const racing = b.request('GET', `/v2/apps${app.id}`);
      await read;
      await leader.writeInstances([instance(app.id, app.version, 'TASK_RUNNING')], []);
      leader.announceStatus([app.id]);
      await eventually(() => heard.mock.calls.some(([id]) => id === app.id), 2000);
      release();
      // The racing GET answers what it read (the old rows) but must not leave them in the cache.
      expect((await racing).body.app.tasksRunning).toBe(0);
      expect(cache.getStatus(app.id, ports)).toBeUndefined();
      expect((await b.request('GET', `/v2/apps${app.id}`)).body.app.tasksRunning).toBe(1);
    } finally {
      spy.mockRestore();
      heard.mockRestore();
    }
  });

  it('when Postgres drops the feed connection, cached status is dropped and announcements are heard again after the reconnect', async () => {
    const app = await createApp(`${g}/drop`);
    await cachedOn(b, app.id);
    const cache = b.app.get(AppReadCache);
    const pool = (a.app.get(DataSource).driver as unknown as { master: Pool }).master;
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN pacer_apps'`);
    await eventually(() => cache.statusSize === 0);
    await eventually(() => b.app.get(ChangeFeed).connected && a.app.get(ChangeFeed).connected);
    await cachedOn(b, app.id);
    await leader.writeInstances([instance(app.id, app.version, 'TASK_STAGING')], []);
    leader.announceStatus([app.id]);
    await eventually(async () => (await b.request('GET', `/v2/apps${app.id}`)).body.app.tasksStaged === 1, 2000);
  });
});
