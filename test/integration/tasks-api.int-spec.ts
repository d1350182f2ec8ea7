import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { formatInstanceId, formatTaskId, type Instance, type InstanceState, type TaskFailure } from '../../src/core/instances';
import { ChangeNotifier } from '../../src/persistence/change-feed';
import { InstanceStore } from '../../src/persistence/instance-store';
import { TaskFailureStore } from '../../src/persistence/task-failure-store';
import type { QueueEntry, SchedulerControl } from '../../src/scheduler/scheduler-control';
import { startTestApp, TestApp, uniqueGroup } from './harness';
import { TEST_DATABASE_URL } from './test-env';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TASK_KEYS = ['appId', 'healthCheckResults', 'host', 'id', 'ipAddresses', 'localVolumes', 'ports', 'servicePorts', 'slaveId', 'stagedAt', 'startedAt', 'state', 'version'];

/** The scheduler as the API sees it, recording what it is asked. */
class FakeScheduler implements SchedulerControl {
  active = true;
  entries: QueueEntry[] = [];
  waiting = new Set<string>();
  readonly kills: Array<{ ids: string[]; wipe: boolean }> = [];
  readonly resets: string[] = [];

  isActive(): boolean {
    return this.active;
  }
  queue(): readonly QueueEntry[] {
    return this.entries;
  }
  resetDelay(appId: string): boolean {
    this.resets.push(appId);
    return this.waiting.has(appId);
  }
  async killInstances(instanceIds: readonly string[], wipe: boolean): Promise<void> {
    this.kills.push({ ids: [...instanceIds].sort(), wipe });
  }
}

const T0 = '2026-01-01T00:00:00.000Z';

/** An instance of `appId` in `state` (a task unless scheduled), on `host`. */
function instance(appId: string, version: string, state: InstanceState, extra: Partial<Instance> = {}): Instance {
  const instanceId = formatInstanceId(appId, randomUUID());
  const launched = state !== 'scheduled';
  return {
    instanceId, appId, appVersion: version, goal: 'running', state, incarnation: launched ? 1 : 0,
    ...(launched ? { taskId: formatTaskId(instanceId, 1), agentId: 'agent-1', host: 'node-1', stagedAt: '2026-01-01T00:00:01.000Z' } : {}),
    ...(state === 'TASK_RUNNING' ? { startedAt: '2026-01-01T00:00:02.000Z' } : {}),
    hostPorts: launched ? [31000] : [], createdAt: T0, stateSince: T0,
    ...extra,
  };
}

describe('tasks, kills, queue and live counts on real Postgres', () => {
  let t: TestApp;
  let store: InstanceStore;
  let failures: TaskFailureStore;
  let notifier: ChangeNotifier;
  let pg: Client;
  const sched = new FakeScheduler();
  const g = uniqueGroup('tasks');

  beforeAll(async () => {
    t = await startTestApp({ MAX_RUNNING_DEPLOYMENTS: '100000' }, undefined, { schedulerControl: sched });
    store = t.app.get(InstanceStore);
    failures = t.app.get(TaskFailureStore);
    notifier = t.app.get(ChangeNotifier);
    pg = new Client({ connectionString: TEST_DATABASE_URL });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.query(`DELETE FROM instances WHERE app_id LIKE $1`, [`${g}/%`]);
    await pg.end();
    await t.close();
  });
  beforeEach(() => {
    sched.active = true;
    sched.kills.length = 0;
  });

  /** Creates an app (one service port, fixed by the server) and returns its stored definition. */
  async function createApp(id: string, extra: Record<string, unknown> = {}): Promise<{ id: string; version: string; servicePorts: number[] }> {
    const res = await t.request('POST', '/v2/apps', { id, cmd: 'sleep 1000', cpus: 0.1, mem: 16, instances: 3, portDefinitions: [{ port: 0 }], ...extra });
    expect(res.status).toBe(201);
    return { id, version: res.body.version, servicePorts: res.body.portDefinitions.map((p: { port: number }) => p.port) };
  }

  describe('GET /v2/apps/{id}/tasks and /v2/tasks', () => {
    it("lists launched instances as Marathon's tasks (strict keys), not scheduled ones", async () => {
      const app = await createApp(`${g}/list/web`);
      const running = instance(app.id, app.version, 'TASK_RUNNING', { healthy: true });
      const provisioned = instance(app.id, app.version, 'provisioned');
      await store.upsertMany([running, provisioned, instance(app.id, app.version, 'scheduled')]);

      const res = await t.request('GET', `/v2/apps${app.id}/tasks`);
      expect(res.status).toBe(200);
      expect(res.body.tasks).toHaveLength(2);
      const byId = new Map(res.body.tasks.map((x: { id: string }) => [x.id, x]));
      const r = byId.get(running.taskId) as Record<string, unknown>;
      expect(Object.keys(r).sort()).toEqual(TASK_KEYS);
      expect(r).toEqual({
        appId: app.id, healthCheckResults: [], host: 'node-1', id: running.taskId, ipAddresses: [], ports: [31000], servicePorts: app.servicePorts,
        slaveId: 'agent-1', state: 'TASK_RUNNING', stagedAt: '2026-01-01T00:00:01.000Z', startedAt: '2026-01-01T00:00:02.000Z', version: app.version,
        localVolumes: [],
      });
      expect(r.version).toMatch(ISO_MS);
      expect(byId.get(provisioned.taskId)).toMatchObject({ state: 'TASK_STAGING' });
    });

    it('404 for an unknown app, in Marathon words', async () => {
      const res = await t.request('GET', `/v2/apps${g}/list/nope/tasks`);
      expect([res.status, res.body]).toEqual([404, { message: `App '${g}/list/nope' does not exist` }]);
    });

    it('`{group}/*/tasks` lists the tasks of every app below the group', async () => {
      const a = await createApp(`${g}/star/a`);
      const b = await createApp(`${g}/star/b`);
      await store.upsertMany([instance(a.id, a.version, 'TASK_RUNNING'), instance(b.id, b.version, 'TASK_STAGING')]);
      const res = await t.request('GET', `/v2/apps${g}/star/*/tasks`);
      expect(res.status).toBe(200);
      expect(res.body.tasks.map((x: { appId: string }) => x.appId).sort()).toEqual([a.id, b.id]);
    });

    it('GET /v2/tasks filters by status (repeated, status[], any case) and leaves out tasks of deleted apps', async () => {
      const app = await createApp(`${g}/all/web`);
      const running = instance(app.id, app.version, 'TASK_RUNNING');
      const staging = instance(app.id, app.version, 'TASK_STAGING');
      const orphan = instance(`${g}/all/deleted`, app.version, 'TASK_RUNNING');
      await store.upsertMany([running, staging, orphan]);
      const ids = async (q: string): Promise<string[]> => {
        const res = await t.request('GET', `/v2/tasks${q}`);
        expect(res.status).toBe(200);
        return res.body.tasks.map((x: { id: string }) => x.id).filter((id: string) => id.startsWith(`${g.slice(1)}_all`)).sort();
      };
      expect(await ids('')).toEqual([running.taskId, staging.taskId].sort());
      expect(await ids('?status=running')).toEqual([running.taskId]);
      expect(await ids('?status=RUNNING&status=Staging')).toEqual([running.taskId, staging.taskId].sort());
      expect(await ids('?status[]=staging')).toEqual([staging.taskId]);
      expect(await ids('?status=killing')).toEqual([]);
    });
  });

  describe('live counts, tasks and lastTaskFailure in app answers', () => {
    it('single app: counts and tasks follow announced instance writes at once on the writing replica (never served stale from the read cache)', async () => {
      const app = await createApp(`${g}/counts/web`);
      const get = async () => (await t.request('GET', `/v2/apps${app.id}`)).body.app;
      expect(await get()).toMatchObject({ tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0, tasks: [] });
      const a = instance(app.id, app.version, 'TASK_RUNNING', { healthy: true });
      const b = instance(app.id, app.version, 'TASK_RUNNING', { healthy: false });
      const c = instance(app.id, app.version, 'TASK_STARTING');
      // written and announced as the scheduler does (PgSchedulerStore.writeInstances, then announceStatus)
      await store.upsertMany([a, b, c, instance(app.id, app.version, 'scheduled')]);
      notifier.announceStatus([app.id]);
      // the previous GET filled the cache: this one must still see the new rows
      const after = await get();
      expect(after).toMatchObject({ tasksStaged: 1, tasksRunning: 2, tasksHealthy: 1, tasksUnhealthy: 1 });
      expect(after.tasks.map((x: { id: string }) => x.id).sort()).toEqual([a.taskId, b.taskId, c.taskId].sort());
      await store.upsertMany([{ ...c, state: 'TASK_RUNNING', startedAt: '2026-01-01T00:00:05.000Z' }]);
      notifier.announceStatus([app.id]);
      expect(await get()).toMatchObject({ tasksStaged: 0, tasksRunning: 3 });
    });

    it('lists: counts always (filtered and unfiltered), tasks and failures only when embedded', async () => {
      const app = await createApp(`${g}/lists/web`);
      await store.upsertMany([instance(app.id, app.version, 'TASK_RUNNING'), instance(app.id, app.version, 'provisioned')]);
      await failures.recordMany([failure(app.id, app.version, 'boom')]);
      const find = (apps: Array<{ id: string }>) => apps.find((a) => a.id === app.id) as Record<string, unknown>;

      const all = find((await t.request('GET', '/v2/apps')).body.apps);
      expect(all).toMatchObject({ tasksStaged: 1, tasksRunning: 1 });
      expect('tasks' in all || 'lastTaskFailure' in all).toBe(false);
      const filtered = find((await t.request('GET', `/v2/apps?id=${encodeURIComponent(app.id)}&embed=apps.tasks&embed=apps.lastTaskFailure`)).body.apps);
      expect(filtered).toMatchObject({ tasksStaged: 1, tasksRunning: 1, lastTaskFailure: { appId: app.id, message: 'boom', state: 'TASK_FAILED' } });
      expect(filtered.tasks).toHaveLength(2);
      const embeddedAll = find((await t.request('GET', '/v2/apps?embed=apps.tasks')).body.apps);
      expect(embeddedAll.tasks).toHaveLength(2);
      const star = find((await t.request('GET', `/v2/apps${g}/lists/*`)).body['*']);
      expect(star).toMatchObject({ tasksStaged: 1, tasksRunning: 1 });
    });

    it("a single app always shows its last failure (last one wins); a deleted app's failure goes with it", async () => {
      const app = await createApp(`${g}/failure/web`);
      expect('lastTaskFailure' in (await t.request('GET', `/v2/apps${app.id}`)).body.app).toBe(false);
      expect(await failures.recordMany([failure(app.id, app.version, 'first'), failure(app.id, app.version, 'second\u0000'), failure(`${g}/failure/none`, app.version, 'x')])).toBe(1);
      notifier.announceStatus([app.id, `${g}/failure/none`]);
      const shown = (await t.request('GET', `/v2/apps${app.id}`)).body.app.lastTaskFailure;
      expect(shown).toEqual({ ...failure(app.id, app.version, 'second') });
      expect(Object.keys(shown)).toEqual(['appId', 'host', 'message', 'state', 'taskId', 'timestamp', 'version', 'slaveId']);

      expect((await t.request('DELETE', `/v2/apps${app.id}`)).status).toBe(200);
      expect(await failures.get(app.id)).toBeUndefined();
      // its stop deployment still holds the id (no executor runs here): force the new create
      expect((await t.request('POST', '/v2/apps?force=true', { id: app.id, cmd: 'sleep 1000', cpus: 0.1, mem: 16 })).status).toBe(201);
      expect('lastTaskFailure' in (await t.request('GET', `/v2/apps${app.id}`)).body.app).toBe(false);
    });
  });

  describe('kills', () => {
    it('DELETE /v2/apps/{id}/tasks kills the active tasks (on a host) through the scheduler and answers them', async () => {
      const app = await createApp(`${g}/kill/web`);
      const a = instance(app.id, app.version, 'TASK_RUNNING');
      const b = instance(app.id, app.version, 'TASK_STAGING', { host: 'node-2' });
      const ended = instance(app.id, app.version, 'TASK_FAILED');
      await store.upsertMany([a, b, ended, instance(app.id, app.version, 'scheduled')]);

      const all = await t.request('DELETE', `/v2/apps${app.id}/tasks`);
      expect(all.status).toBe(200);
      expect(all.body.tasks.map((x: { id: string }) => x.id).sort()).toEqual([a.taskId, b.taskId].sort());
      expect(sched.kills).toEqual([{ ids: [a.instanceId, b.instanceId].sort(), wipe: false }]);

      const onHost = await t.request('DELETE', `/v2/apps${app.id}/tasks?host=node-2&wipe=True`);
      expect(onHost.body.tasks.map((x: { id: string }) => x.id)).toEqual([b.taskId]);
      expect(sched.kills[1]).toEqual({ ids: [b.instanceId], wipe: true });
    });

    it('DELETE /v2/apps/{id}/tasks/{taskId}: {"task"}, 404 for unknown apps and tasks that are not current', async () => {
      const app = await createApp(`${g}/kill1/web`);
      const a = instance(app.id, app.version, 'TASK_RUNNING');
      await store.upsertMany([a]);
      const res = await t.request('DELETE', `/v2/apps${app.id}/tasks/${a.taskId}?wipe=false`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ task: expect.objectContaining({ id: a.taskId, state: 'TASK_RUNNING' }) });
      expect(sched.kills).toEqual([{ ids: [a.instanceId], wipe: false }]);

      const older = formatTaskId(a.instanceId, 0);
      for (const id of [older, 'not-a-task-id', formatTaskId(formatInstanceId(app.id, randomUUID()), 1)]) {
        const miss = await t.request('DELETE', `/v2/apps${app.id}/tasks/${id}`);
        expect([miss.status, miss.body]).toEqual([404, { message: `Task '${id}' does not exist` }]);
      }
      const other = await t.request('DELETE', `/v2/apps${g}/kill1/nope/tasks/${a.taskId}`);
      expect([other.status, other.body]).toEqual([404, { message: `App '${g}/kill1/nope' does not exist` }]);
      expect(sched.kills).toHaveLength(1);
    });

    it('POST /v2/tasks/delete kills known tasks of any app, ignores unknown ones, and rejects malformed ids', async () => {
      const x = await createApp(`${g}/bulk/x`);
      const y = await createApp(`${g}/bulk/y`);
      const a = instance(x.id, x.version, 'TASK_RUNNING');
      const b = instance(y.id, y.version, 'TASK_RUNNING');
      await store.upsertMany([a, b]);
      const unknown = formatTaskId(formatInstanceId(x.id, randomUUID()), 1);
      const res = await t.request('POST', '/v2/tasks/delete?scale=False', { ids: [a.taskId, b.taskId, unknown] });
      expect(res.status).toBe(200);
      expect(res.body.tasks.map((z: { id: string }) => z.id).sort()).toEqual([a.taskId, b.taskId].sort());
      expect(sched.kills).toEqual([{ ids: [a.instanceId, b.instanceId].sort(), wipe: false }]);

      const bad = await t.request('POST', '/v2/tasks/delete', { ids: [a.taskId, 'garbage'] });
      expect([bad.status, bad.body]).toEqual([400, { message: "Invalid task id 'garbage'" }]);
      expect((await t.request('POST', '/v2/tasks/delete', { ids: 'x' })).status).toBe(400);
      expect(sched.kills).toHaveLength(1);
    });

    it('scale and wipe together are a 400', async () => {
      const res = await t.request('DELETE', `/v2/apps${g}/kill/web/tasks?scale=true&wipe=true`);
      expect([res.status, res.body]).toEqual([400, { message: 'You cannot use scale and wipe at the same time.' }]);
    });

    it('scale=true stores one deployment that lowers instances and sentences the killed instances (409 while locked)', async () => {
      const x = await createApp(`${g}/scale/x`);
      const y = await createApp(`${g}/scale/y`);
      const a1 = instance(x.id, x.version, 'TASK_RUNNING');
      const a2 = instance(x.id, x.version, 'TASK_RUNNING');
      const killing = instance(x.id, x.version, 'TASK_KILLING');
      const b1 = instance(y.id, y.version, 'TASK_RUNNING');
      await store.upsertMany([a1, a2, killing, b1]);

      // the apps' own start deployments still hold them (no executor runs here)
      const locked = await t.request('POST', '/v2/tasks/delete?scale=true', { ids: [a1.taskId, a2.taskId, killing.taskId, b1.taskId] });
      expect(locked.status).toBe(409);
      expect(locked.body.message).toMatch(/^App is locked by one or more deployments/);

      sched.active = false; // a scale-down is a deployment: it needs no running scheduler
      const res = await t.request('POST', '/v2/tasks/delete?scale=true&force=true', { ids: [a1.taskId, a2.taskId, killing.taskId, b1.taskId] });
      expect(res.status).toBe(200);
      expect(res.headers['marathon-deployment-id']).toBe(res.body.deploymentId);
      expect(Object.keys(res.body).sort()).toEqual(['deploymentId', 'version']);
      expect(sched.kills).toEqual([]);

      const stored = await pg.query(`SELECT steps FROM deployments WHERE id = $1`, [res.body.deploymentId]);
      const actions = stored.rows[0].steps.flatMap((s: { actions: unknown[] }) => s.actions);
      expect(actions).toEqual([
        { action: 'ScaleApplication', app: x.id, sentenced: [a1.instanceId, a2.instanceId].sort() },
        { action: 'ScaleApplication', app: y.id, sentenced: [b1.instanceId] },
      ]);
      expect((await t.request('GET', `/v2/apps${x.id}`)).body.app.instances).toBe(1); // 3 - 2 (the killing one does not count)
      expect((await t.request('GET', `/v2/apps${y.id}`)).body.app.instances).toBe(2);

      const shown = (await t.request('GET', '/v2/deployments')).body.find((d: { id: string }) => d.id === res.body.deploymentId);
      expect(JSON.stringify(shown)).not.toContain('sentenced');
      expect(shown.steps).toEqual([{ actions: [{ action: 'ScaleApplication', app: x.id }, { action: 'ScaleApplication', app: y.id }] }]);
    });

    it('scale=true on one app and one task: DeploymentResult, never below 0 instances', async () => {
      const app = await createApp(`${g}/scale1/web`, { instances: 1 });
      const a = instance(app.id, app.version, 'TASK_RUNNING');
      const b = instance(app.id, app.version, 'TASK_RUNNING');
      await store.upsertMany([a, b]);
      const all = await t.request('DELETE', `/v2/apps${app.id}/tasks?scale=true&force=true`);
      expect(all.status).toBe(200);
      expect((await t.request('GET', `/v2/apps${app.id}`)).body.app.instances).toBe(0);
      const stored = await pg.query(`SELECT steps FROM deployments WHERE id = $1`, [all.body.deploymentId]);
      expect(stored.rows[0].steps[0].actions[0].sentenced.sort()).toEqual([a.instanceId, b.instanceId].sort());

      const one = await createApp(`${g}/scale1/one`, { instances: 2 });
      const c = instance(one.id, one.version, 'TASK_RUNNING');
      await store.upsertMany([c]);
      const res = await t.request('DELETE', `/v2/apps${one.id}/tasks/${c.taskId}?scale=true&force=true`);
      expect(res.status).toBe(200);
      expect(typeof res.body.deploymentId).toBe('string');
      expect((await t.request('GET', `/v2/apps${one.id}`)).body.app.instances).toBe(1);
    });

    it('scale=false needs the scheduler: 503 on every kill endpoint while it is not active', async () => {
      const app = await createApp(`${g}/inactive/web`);
      const a = instance(app.id, app.version, 'TASK_RUNNING');
      await store.upsertMany([a]);
      sched.active = false;
      for (const [method, url, body] of [
        ['DELETE', `/v2/apps${app.id}/tasks`, undefined],
        ['DELETE', `/v2/apps${app.id}/tasks/${a.taskId}`, undefined],
        ['POST', '/v2/tasks/delete', { ids: [a.taskId] }],
      ] as const) {
        const res = await t.request(method, url, body);
        expect([url, res.status]).toEqual([url, 503]);
        expect(typeof res.body.message).toBe('string');
      }
      expect(sched.kills).toEqual([]);
    });
  });

  describe('/v2/queue', () => {
    it('lists waiting app versions with their current definition, offers only on embed', async () => {
      const app = await createApp(`${g}/queue/web`);
      sched.entries = [
        queueEntry(app.id, app.version),
        queueEntry(`${g}/queue/deleted`, app.version), // its app is gone: left out
      ];
      const res = await t.request('GET', '/v2/queue');
      expect(res.status).toBe(200);
      expect(res.body.queue).toHaveLength(1);
      const item = res.body.queue[0];
      expect(Object.keys(item)).toEqual(['app', 'count', 'delay', 'since', 'processedOffersSummary']);
      expect(item.app).toMatchObject({ id: app.id, cmd: 'sleep 1000', instances: 3, version: app.version });
      expect(item.app.tasksRunning).toBeUndefined();
      expect(item).toMatchObject({ count: 2, delay: { timeLeftSeconds: 0, overdue: true }, since: T0 });
      expect(item.processedOffersSummary).toEqual({
        processedOffersCount: 4, unusedOffersCount: 3, lastUnusedOfferAt: T0,
        rejectSummaryLastOffers: [{ reason: 'InsufficientCpus', declined: 3, processed: 4 }],
        rejectSummaryLaunchAttempt: [{ reason: 'InsufficientCpus', declined: 3, processed: 4 }],
      });
      const embedded = await t.request('GET', '/v2/queue?embed=lastUnusedOffers');
      expect(embedded.body.queue[0].lastUnusedOffers).toEqual([{ offer: { id: 'o1', agentId: 'a1', hostname: 'node-1', resources: [{ name: 'cpus', role: '*', scalar: 0.05 }], attributes: [] }, timestamp: T0, reason: ['InsufficientCpus'] }]);
    });

    it('DELETE /v2/queue/{nested id}/delay: 204 when something waits, else 404 in Marathon words', async () => {
      const id = `${g}/queue/delayed`;
      sched.waiting = new Set([id]);
      const ok = await t.request('DELETE', `/v2/queue${id}/delay`);
      expect([ok.status, ok.text]).toEqual([204, '']);
      expect(sched.resets.at(-1)).toBe(id);
      const miss = await t.request('DELETE', `/v2/queue/${g}/queue/idle/delay`);
      expect([miss.status, miss.body]).toEqual([404, { message: `Application ${g}/queue/idle not found in tasks queue.` }]);
    });

    it('503 while the scheduler is not active', async () => {
      sched.active = false;
      expect((await t.request('GET', '/v2/queue')).status).toBe(503);
      expect((await t.request('DELETE', `/v2/queue${g}/queue/web/delay`)).status).toBe(503);
    });
  });

  it('without a scheduler (the default provider) queue and kills answer 503; tasks and counts still read', async () => {
    const plain = await startTestApp({ MAX_RUNNING_DEPLOYMENTS: '100000' });
    try {
      const app = await createApp(`${g}/noscheduler/web`);
      await store.upsertMany([instance(app.id, app.version, 'TASK_RUNNING')]);
      expect((await plain.request('GET', '/v2/queue')).status).toBe(503);
      const kill = await plain.request('DELETE', `/v2/apps${app.id}/tasks`);
      expect(kill.status).toBe(503);
      expect(kill.body.message).toMatch(/scheduler is not running/);
      expect((await plain.request('GET', `/v2/apps${app.id}/tasks`)).body.tasks).toHaveLength(1);
      expect((await plain.request('GET', `/v2/apps${app.id}`)).body.app.tasksRunning).toBe(1);
    } finally {
      await plain.close();
    }
  });
});

function failure(appId: string, version: string, message: string): TaskFailure {
  return { appId, taskId: `${appId.slice(1).replace(/\//g, '_')}.instance-1._app.1`, state: 'TASK_FAILED', message, host: 'node-1', version, timestamp: '2026-01-01T00:01:00.000Z', slaveId: 'agent-1' };
}

function queueEntry(appId: string, appVersion: string): QueueEntry {
  return {
    appId, appVersion, count: 2, since: T0, timeLeftSeconds: 0, overdue: true, processedOffersCount: 4, unusedOffersCount: 3, lastUnusedOfferAt: T0,
    rejectSummaryLastOffers: [{ reason: 'InsufficientCpus', declined: 3, processed: 4 }],
    lastUnusedOffers: [{ offer: { id: 'o1', agentId: 'a1', hostname: 'node-1', resources: [{ name: 'cpus', role: '*', scalar: 0.05 }], attributes: [] }, timestamp: T0, reason: ['InsufficientCpus'] }],
  };
}
