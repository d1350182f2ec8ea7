import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { StoredHealth } from '../../src/core/health';
import { formatInstanceId, formatTaskId, type Instance } from '../../src/core/instances';
import { ChangeNotifier } from '../../src/persistence/change-feed';
import { InstanceHealthStore } from '../../src/persistence/instance-health-store';
import { InstanceStore } from '../../src/persistence/instance-store';
import { AppStore } from '../../src/persistence/app-store';
import { PgSchedulerStore } from '../../src/scheduler/scheduler-store';
import { startTestApp, TestApp, uniqueGroup } from './harness';

const T0 = Date.UTC(2026, 0, 1);
const S = 1000;

function instance(appId: string, version: string, extra: Partial<Instance> = {}): Instance {
  const instanceId = formatInstanceId(appId, randomUUID());
  return {
    instanceId, appId, appVersion: version, goal: 'running', state: 'TASK_RUNNING', incarnation: 1, taskId: formatTaskId(instanceId, 1),
    agentId: 'agent-1', host: 'node-1', hostPorts: [31000], createdAt: new Date(T0).toISOString(), stateSince: new Date(T0).toISOString(),
    stagedAt: new Date(T0).toISOString(), startedAt: new Date(T0 + S).toISOString(), ...extra,
  };
}

function health(x: Instance, over: Partial<StoredHealth> = {}): StoredHealth {
  return {
    instanceId: x.instanceId, taskId: x.taskId as string, appId: x.appId,
    checks: [{ index: 0, sig: 'HTTP index 0 /health', state: { firstSuccess: T0 + 5 * S, lastSuccess: T0 + 15 * S, consecutiveFailures: 0 } }],
    ...over,
  };
}

describe('instance health on real Postgres: store, scheduler adapter, and healthCheckResults in the API', () => {
  let t: TestApp;
  let store: InstanceHealthStore;
  let instances: InstanceStore;
  let notifier: ChangeNotifier;
  const g = uniqueGroup('health');

  beforeAll(async () => {
    t = await startTestApp({ MAX_RUNNING_DEPLOYMENTS: '100000' });
    store = t.app.get(InstanceHealthStore);
    instances = t.app.get(InstanceStore);
    notifier = t.app.get(ChangeNotifier);
  });
  afterAll(async () => {
    const pool = (t.app.get(DataSource).driver as unknown as { master: Pool }).master;
    await pool.query('DELETE FROM instances WHERE app_id LIKE $1', [`${g}/%`]);
    await pool.query('DELETE FROM instance_health WHERE app_id LIKE $1', [`${g}/%`]);
    await t.close();
  });

  it('round-trips every field (ms times, sentence, replacement, hold), last write wins, deletes by instance id', async () => {
    const app = `${g}/store`;
    const a = instance(app, '2026-01-01T00:00:00.000Z');
    const b = instance(app, '2026-01-01T00:00:00.000Z');
    const ha = health(a);
    const hb = health(b, {
      checks: [
        { index: 0, state: { firstSuccess: T0 + 1, lastSuccess: T0 + 2, lastFailure: T0 + 3, lastFailureCause: 'nul \u0000 "quoted" ünïcode', consecutiveFailures: 4, failingSince: T0 + 3 } },
        { index: 2, sig: 'TCP port 8080 ', state: { consecutiveFailures: 0 } },
      ],
      sentencedAt: T0 + 123,
      replacement: { instanceId: `${app.slice(1).replaceAll('/', '_')}.instance-x`, requestedAt: T0 + 456 },
      held: { kind: 'breaker', reason: 'app /x: 5 of 10 instances turned unhealthy at once', since: T0 + 789 },
    });
    expect(await store.upsertMany([{ ...ha, checks: [] }, hb, ha])).toBe(2);
    const want = { ...hb, checks: [{ ...hb.checks[0], state: { ...hb.checks[0].state, lastFailureCause: 'nul  "quoted" ünïcode' } }, hb.checks[1]] };
    expect(await store.byInstanceIds([b.instanceId, a.instanceId, 'nope'])).toStrictEqual([ha, want].sort((x, y) => (x.instanceId < y.instanceId ? -1 : 1)));
    expect(await store.byApps([app])).toStrictEqual([ha, want].sort((x, y) => (x.instanceId < y.instanceId ? -1 : 1)));
    expect((await store.loadAll()).filter((h) => h.appId === app)).toHaveLength(2);
    expect(await store.deleteMany([a.instanceId, 'nope'])).toBe(1);
    expect(await store.byApps([app])).toStrictEqual([want]);
    expect(await store.upsertMany([])).toBe(0);
  });

  it('writes more than one batch in one transaction', async () => {
    const app = `${g}/many`;
    const rows = Array.from({ length: 2100 }, () => health(instance(app, '2026-01-01T00:00:00.000Z')));
    expect(await store.upsertMany(rows)).toBe(2100);
    expect(await store.byApps([app])).toHaveLength(2100);
    expect(await store.deleteMany(rows.map((r) => r.instanceId))).toBe(2100);
  });

  it('PgSchedulerStore: loadHealth / writeHealth (deletes first, so a relaunched instance is written anew)', async () => {
    const get = <T>(cls: new (...args: never[]) => T): T => t.app.get(cls as never);
    const sched = new PgSchedulerStore(get(DataSource), instances, get(AppStore), notifier, { recordMany: async () => undefined }, store);
    const app = `${g}/sched`;
    const x = instance(app, '2026-01-01T00:00:00.000Z');
    await sched.writeHealth([health(x)], []);
    expect((await sched.loadHealth()).filter((h) => h.appId === app)).toStrictEqual([health(x)]);
    const relaunched = health({ ...x, taskId: formatTaskId(x.instanceId, 2) });
    await sched.writeHealth([relaunched], [x.instanceId]);
    expect((await sched.loadHealth()).filter((h) => h.appId === app)).toStrictEqual([relaunched]);
    await sched.writeHealth([], [x.instanceId]);
    expect((await sched.loadHealth()).filter((h) => h.appId === app)).toStrictEqual([]);
    // without a health store (tests of other parts): nothing loaded, nothing written
    const bare = new PgSchedulerStore(get(DataSource), instances, get(AppStore), notifier, { recordMany: async () => undefined });
    expect(await bare.loadHealth()).toEqual([]);
    await bare.writeHealth([health(x)], []);
  });

  it("tasks show their current task's healthCheckResults in app answers, app task lists and /v2/tasks; counts follow instances.healthy", async () => {
    const id = `${g}/web`;
    const created = await t.request('POST', '/v2/apps', {
      id, cmd: 'serve', instances: 3, portDefinitions: [{ port: 0 }],
      healthChecks: [{ protocol: 'HTTP', path: '/health', portIndex: 0 }, { protocol: 'COMMAND', command: { value: 'true' } }, { protocol: 'TCP', portIndex: 0 }],
    });
    expect(created.status).toBe(201);
    const version = created.body.version as string;
    const alive = instance(id, version, { healthy: true });
    const failing = instance(id, version, { healthy: false });
    const stale = instance(id, version, { incarnation: 2 });
    await instances.upsertMany([alive, failing, { ...stale, taskId: formatTaskId(stale.instanceId, 2) }]);
    await store.upsertMany([
      health(alive, { checks: [health(alive).checks[0], { index: 2, state: { firstSuccess: T0 + 6 * S, lastSuccess: T0 + 16 * S, consecutiveFailures: 0 } }] }),
      health(failing, { checks: [{ index: 0, state: { firstSuccess: T0 + 5 * S, lastSuccess: T0 + 5 * S, lastFailure: T0 + 25 * S, lastFailureCause: '503 Service Unavailable', consecutiveFailures: 2 } }] }),
      health(stale), // its task id is the previous incarnation's: not shown
    ]);

    const iso = (ms: number): string => new Date(ms).toISOString();
    const wantAlive = [
      { alive: true, consecutiveFailures: 0, firstSuccess: iso(T0 + 5 * S), lastSuccess: iso(T0 + 15 * S), lastFailure: null, lastFailureCause: null, instanceId: alive.instanceId },
      { alive: true, consecutiveFailures: 0, firstSuccess: iso(T0 + 6 * S), lastSuccess: iso(T0 + 16 * S), lastFailure: null, lastFailureCause: null, instanceId: alive.instanceId },
    ];
    const wantFailing = [
      { alive: false, consecutiveFailures: 2, firstSuccess: iso(T0 + 5 * S), lastSuccess: iso(T0 + 5 * S), lastFailure: iso(T0 + 25 * S), lastFailureCause: '503 Service Unavailable', instanceId: failing.instanceId },
    ];
    const byTask = (tasks: Array<{ id: string; healthCheckResults: unknown[] }>): Map<string, unknown[]> => new Map(tasks.map((x) => [x.id, x.healthCheckResults]));
    const check = (tasks: Array<{ id: string; healthCheckResults: unknown[] }>): void => {
      const m = byTask(tasks);
      expect(m.get(alive.taskId as string)).toEqual(wantAlive);
      expect(m.get(failing.taskId as string)).toEqual(wantFailing);
      expect(m.get(formatTaskId(stale.instanceId, 2))).toEqual([]);
    };

    const one = await t.request('GET', `/v2/apps${id}`);
    expect(one.status).toBe(200);
    check(one.body.app.tasks);
    expect(one.body.app).toMatchObject({ tasksRunning: 3, tasksHealthy: 1, tasksUnhealthy: 1 });
    check((await t.request('GET', `/v2/apps${id}/tasks`)).body.tasks);
    check((await t.request('GET', '/v2/tasks')).body.tasks.filter((x: { appId: string }) => x.appId === id));
    const list = await t.request('GET', `/v2/apps?id=${encodeURIComponent(id)}&embed=apps.tasks`);
    check(list.body.apps.find((a: { id: string }) => a.id === id).tasks);
    expect(list.body.apps.find((a: { id: string }) => a.id === id)).toMatchObject({ tasksHealthy: 1, tasksUnhealthy: 1 });
  });
});
