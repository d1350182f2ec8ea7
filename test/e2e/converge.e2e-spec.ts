// Issue 5 end to end: Pacer's scheduler keeps apps at their count on local-mesos, whose agents run
// real processes; everything is driven over Pacer's HTTP API as a user would.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Cluster, eventually, httpServerCommand } from './cluster';

jest.setTimeout(90_000);

interface Task {
  id: string;
  appId: string;
  host: string;
  ports: number[];
  slaveId: string;
  state: string;
  startedAt?: string;
}

describe('converge on local-mesos (real processes)', () => {
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
  const running = (id: string, n: number, what = `${n} running tasks of ${id}`, pred: (t: Task[]) => boolean = () => true): Promise<Task[]> =>
    eventually(async () => {
      const t = await tasksOf(id);
      return t.length === n && t.every((x) => x.state === 'TASK_RUNNING') && pred(t) ? t : undefined;
    }, 30_000, what);
  const settled = async (): Promise<void> => {
    try {
      await eventually(async () => (await c.request('GET', '/v2/deployments')).body?.length === 0, 30_000, 'no deployment left');
    } catch (e) {
      const left = JSON.stringify((await c.request('GET', '/v2/deployments')).body);
      const instances = JSON.stringify(await Promise.all(['/web', '/uniq', '/crash'].map((id) => tasksOf(id))));
      throw new Error(`${(e as Error).message}: ${left} ${instances}`);
    }
  };
  const mesosRunning = (prefix: string): Array<{ id: string; pid?: number; agent_id: string }> =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    ((c.mesos.state() as any).tasks as any[]).filter((t) => t.id.startsWith(prefix) && t.state === 'TASK_RUNNING');
  const alive = (pid: number | undefined): boolean => {
    if (pid === undefined) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('starts 5 instances of an HTTP server that answer on their assigned ports', async () => {
    const res = await c.request('POST', '/v2/apps', { id: '/web', cmd: httpServerCommand(), cpus: 0.1, mem: 32, instances: 5 });
    expect(res.status).toBe(201);
    const tasks = await running('/web', 5);
    for (const t of tasks) {
      expect(t.ports).toHaveLength(1);
      const body = await eventually(async () => {
        const r = await fetch(`http://127.0.0.1:${t.ports[0]}/`).catch(() => undefined);
        return r?.ok ? r.text() : undefined;
      }, 10_000, `task ${t.id} answering`);
      expect(body).toBe(`${t.id} ${t.ports[0]}`);
    }
    await settled();
    const app = (await c.request('GET', '/v2/apps/web')).body.app;
    expect(app.tasksRunning).toBe(5);
    expect(app.deployments).toEqual([]);
  });

  it('replaces a process killed with SIGKILL (same instance, next incarnation)', async () => {
    const before = await running('/web', 5);
    const victim = mesosRunning('web.').find((t) => t.id === before[0].id);
    expect(victim?.pid).toBeDefined();
    process.kill(victim!.pid!, 'SIGKILL');
    const after = await running('/web', 5, 'the killed one replaced', (t) => !t.some((x) => x.id === before[0].id));
    const instance = before[0].id.replace(/\._app\.\d+$/, '');
    expect(after.map((t) => t.id)).toContain(`${instance}._app.2`);
    const failure = (await c.request('GET', '/v2/apps/web')).body.app.lastTaskFailure;
    expect(failure).toMatchObject({ taskId: before[0].id, state: 'TASK_FAILED' });
  });

  it('scales 5 → 10 → 2, killing the youngest first', async () => {
    const five = await running('/web', 5);
    expect((await c.request('PUT', '/v2/apps/web', { instances: 10 })).status).toBe(200);
    const ten = await running('/web', 10);
    await settled();
    expect((await c.request('PUT', '/v2/apps/web', { instances: 2 })).status).toBe(200);
    const two = await running('/web', 2);
    await settled();
    // YOUNGEST_FIRST: the two left are the two that started first (equal times: the core kills the
    // smaller instance id first, so the larger ones stay).
    const oldest = [...ten].sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!) || (a.id < b.id ? 1 : -1)).slice(0, 2);
    expect(two.map((t) => t.id).sort()).toEqual(oldest.map((t) => t.id).sort());
    expect(five.map((t) => t.id)).toEqual(expect.arrayContaining(two.map((t) => t.id)));
    await eventually(() => mesosRunning('web.').length === 2, 10_000, 'only 2 processes left');
  });

  it('keeps one instance waiting, with the reason, when UNIQUE hostname cannot place it', async () => {
    const res = await c.request('POST', '/v2/apps', { id: '/uniq', cmd: 'sleep 1000', cpus: 0.1, mem: 16, instances: 4, constraints: [['hostname', 'UNIQUE']] });
    expect(res.status).toBe(201);
    // The fourth instance has no task: it waits in the queue.
    const three = await running('/uniq', 3, '3 placed');
    expect(new Set(three.map((t) => t.host)).size).toBe(3);
    const item = await eventually(async () => {
      const q = (await c.request('GET', '/v2/queue')).body.queue as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
      const it = q.find((x) => x.app.id === '/uniq');
      return it && it.processedOffersSummary.rejectSummaryLastOffers.some((r: { reason: string }) => r.reason === 'UnfulfilledConstraint') ? it : undefined;
    }, 20_000, 'the queue to explain the waiting instance');
    expect(item.count).toBe(1);
    expect(item.delay.overdue).toBe(true);
    expect((await c.request('DELETE', '/v2/apps/uniq?force=true')).status).toBe(200);
    await eventually(() => mesosRunning('uniq.').length === 0, 15_000, 'uniq stopped');
  });

  it('backs off a command that exits at once, and DELETE /v2/queue/{id}/delay resets it', async () => {
    const res = await c.request('POST', '/v2/apps', {
      id: '/crash', cmd: 'exit 3', cpus: 0.1, mem: 16, instances: 1, backoffSeconds: 1, backoffFactor: 2, maxLaunchDelaySeconds: 30,
    });
    expect(res.status).toBe(201);
    // failures at ~0 s, ~1 s, ~3 s, ~7 s: the delay doubles, so the queue shows a wait of ≥ 2 s once
    const item = await eventually(async () => {
      const q = (await c.request('GET', '/v2/queue')).body.queue as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
      const it = q.find((x) => x.app.id === '/crash');
      return it && it.delay.overdue === false && it.delay.timeLeftSeconds >= 2 ? it : undefined;
    }, 30_000, 'a growing backoff in the queue');
    expect(item.delay.timeLeftSeconds).toBeLessThanOrEqual(30);
    const failure = (await c.request('GET', '/v2/apps/crash')).body.app.lastTaskFailure;
    expect(failure.state).toBe('TASK_FAILED');
    const incarnation = Number(/\._app\.(\d+)$/.exec(failure.taskId)![1]);
    expect(incarnation).toBeLessThanOrEqual(4); // no tight relaunch loop
    expect((await c.request('DELETE', '/v2/queue/crash/delay')).status).toBe(204);
    await eventually(async () => {
      const f = (await c.request('GET', '/v2/apps/crash')).body.app.lastTaskFailure;
      return Number(/\._app\.(\d+)$/.exec(f.taskId)![1]) > incarnation;
    }, 5_000, 'a relaunch right after the reset');
    expect((await c.request('DELETE', '/v2/apps/crash')).status).toBe(200);
    expect((await c.request('DELETE', '/v2/queue/nothing-here/delay')).status).toBe(404);
  });

  it('replaces the instances of a stopped agent on the other agents', async () => {
    const before = await running('/web', 2);
    const lost = before[0].slaveId;
    const index = c.mesos.state() as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const agentIndex = (index.agents as Array<{ id: string }>).findIndex((a) => a.id === lost);
    await c.mesos.stopAgent(agentIndex, 'kill');
    try {
      const after = await running('/web', 2, 'replacements elsewhere', (t) => t.every((x) => x.slaveId !== lost));
      // Instances on the other agents were left alone.
      expect(after.map((t) => t.id)).toEqual(expect.arrayContaining(before.filter((b) => b.slaveId !== lost).map((b) => b.id)));
      await settled();
    } finally {
      c.mesos.startAgent(agentIndex);
    }
  });

  it('adopts the same instances after a restart of Pacer, launching none twice', async () => {
    const before = await running('/web', 2);
    await c.stopPacer();
    await c.startPacer();
    const after = await running('/web', 2, 'the same tasks after the restart', (t) => t.map((x) => x.id).sort().join() === before.map((x) => x.id).sort().join());
    expect(after).toHaveLength(2);
    // Give reconciliation time to answer, then check nothing new was launched.
    await eventually(async () => /pacer_mesos_events_total\{type="UPDATE"\} [1-9]/.test((await fetch(`${c.url}/metrics`)).ok ? await (await fetch(`${c.url}/metrics`)).text() : ''), 10_000, 'reconciliation answers');
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toMatch(/pacer_tasks_launched_total 0/);
    expect(mesosRunning('web.')).toHaveLength(2);
  });

  it('after a restart, kills a task it has no record of and relaunches a record Mesos does not know', async () => {
    const before = await running('/web', 2);
    const [orphan, kept] = before;
    const orphanPid = mesosRunning('web.').find((t) => t.id === orphan.id)?.pid;
    const ghost = `web.instance-${randomUUID()}`;
    await c.stopPacer();
    const db = new Client({ connectionString: c.db.url });
    await db.connect();
    try {
      // The orphan's record vanishes; a record whose task Mesos never heard of appears.
      await db.query('DELETE FROM instances WHERE task_id = $1', [orphan.id]);
      await db.query(
        `INSERT INTO instances (instance_id, app_id, app_version, goal, state, incarnation, task_id, agent_id, host, ports, created_at, state_since, staged_at, started_at)
         SELECT $1, app_id, app_version, goal, state, 1, $2, agent_id, host, ports, created_at, state_since, staged_at, started_at FROM instances WHERE task_id = $3`,
        [ghost, `${ghost}._app.1`, kept.id],
      );
    } finally {
      await db.end();
    }
    await c.startPacer();
    const after = await running('/web', 2, 'the ghost relaunched and the orphan gone', (t) => t.map((x) => x.id).sort().join() === [kept.id, `${ghost}._app.2`].sort().join());
    expect(after).toHaveLength(2);
    await eventually(() => !alive(orphanPid) && mesosRunning('web.').length === 2, 15_000, 'the orphan killed');
    await settled();
  });

  it('leaves no process behind when the app is deleted', async () => {
    const pids = mesosRunning('web.').map((t) => t.pid);
    expect(pids.length).toBe(2);
    expect((await c.request('DELETE', '/v2/apps/web')).status).toBe(200);
    await eventually(() => mesosRunning('web.').length === 0 && pids.every((p) => !alive(p)), 15_000, 'every web process gone');
    await settled();
    expect((await c.request('GET', '/v2/apps/web')).status).toBe(404);
  });
});
