// Issue 9 end to end: a group with a database app and a web app that depends on it, posted in one
// request to Pacer on local-mesos (agents run real processes): the deployment starts the database
// first and the web app's tasks only once the database's are running; then the group is scaled
// with scaleBy and deleted, everything driven over HTTP as a user would.
import { Cluster, eventually } from './cluster';

jest.setTimeout(120_000);

interface Task {
  id: string;
  appId: string;
  state: string;
  stagedAt?: string;
  startedAt?: string;
}

describe('groups on local-mesos (real processes)', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await Cluster.start();
  });
  afterAll(async () => {
    await c?.stop();
  });

  const tasksOf = async (id: string): Promise<Task[]> => {
    const r = await c.request('GET', `/v2/apps${id}/tasks`);
    return r.status === 200 ? (r.body.tasks as Task[]) : [];
  };
  const running = (id: string, n: number): Promise<Task[]> =>
    eventually(async () => {
      const t = await tasksOf(id);
      return t.length === n && t.every((x) => x.state === 'TASK_RUNNING') ? t : undefined;
    }, 60_000, `${n} running tasks of ${id}`);
  const settled = (): Promise<unknown> => eventually(async () => (await c.request('GET', '/v2/deployments')).body?.length === 0, 60_000, 'no deployment left');

  it('deploys the database first: the web app\'s tasks are launched only after the database\'s run', async () => {
    // The database takes a second to come up (its task reaches RUNNING at once, but the step waits
    // for all 2 instances); the web app must not be launched before both are RUNNING.
    const res = await c.request('POST', '/v2/groups', {
      id: '/shop',
      apps: [
        { id: 'web', cmd: 'sleep 600', cpus: 0.05, mem: 16, instances: 3, dependencies: ['db'] },
        { id: 'db', cmd: 'sleep 600', cpus: 0.05, mem: 16, instances: 2 },
      ],
    });
    expect(res.status).toBe(201);
    const plan = (await c.request('GET', '/v2/deployments')).body.find((d: { id: string }) => d.id === res.body.deploymentId);
    expect(plan.steps.map((s: { actions: Array<{ action: string; app: string }> }) => s.actions.map((a) => `${a.action} ${a.app}`).sort())).toEqual([
      ['StartApplication /shop/db', 'StartApplication /shop/web'],
      ['ScaleApplication /shop/db'],
      ['ScaleApplication /shop/web'],
    ]);

    const db = await running('/shop/db', 2);
    const web = await running('/shop/web', 3);
    await settled();
    const dbRunningBy = Math.max(...db.map((t) => Date.parse(t.startedAt as string)));
    const webFirstStaged = Math.min(...web.map((t) => Date.parse(t.stagedAt as string)));
    if (webFirstStaged < dbRunningBy) console.log(JSON.stringify({ db, web }, null, 1));
    expect(webFirstStaged).toBeGreaterThanOrEqual(dbRunningBy);

    const group = (await c.request('GET', '/v2/groups/shop?embed=group.apps&embed=group.apps.counts')).body;
    expect(group.apps.map((a: { id: string; tasksRunning: number }) => [a.id, a.tasksRunning])).toEqual([['/shop/db', 2], ['/shop/web', 3]]);
  });

  it('scaleBy 2 doubles every app of the group on the agents', async () => {
    const res = await c.request('PUT', '/v2/groups/shop', { scaleBy: 2 });
    expect(res.status).toBe(200);
    await running('/shop/db', 4);
    await running('/shop/web', 6);
    await settled();
    expect(c.mesosTasks((t) => t.id.startsWith('shop_') && t.state === 'TASK_RUNNING')).toHaveLength(10);
  });

  it('deleting the group stops every task', async () => {
    const res = await c.request('DELETE', '/v2/groups/shop');
    expect(res.status).toBe(200);
    await eventually(() => c.mesosTasks((t) => t.id.startsWith('shop_') && t.state === 'TASK_RUNNING').length === 0, 60_000, 'every task of /shop stopped');
    expect((await c.request('GET', '/v2/groups/shop')).status).toBe(404);
    await settled();
  });
});
