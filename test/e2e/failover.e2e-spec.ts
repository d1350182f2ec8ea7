// Issue 8 end to end: two Pacer replicas elect a leader through ZooKeeper; when the leader goes away
// the other takes over from Postgres, adopts the running instances without launching duplicates, and
// goes on converging.
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Cluster, eventually } from './cluster';

jest.setTimeout(120_000);

describe('leader failover on local-mesos', () => {
  let c: Cluster;
  let replica: { app: NestFastifyApplication; url: string } | undefined;
  const zk = { LEADER_ELECTION: 'zookeeper', ZK_URL: `zk://127.0.0.1:2181/pacer-e2e-${randomBytes(4).toString('hex')}` };
  beforeAll(async () => {
    c = await Cluster.start({}, zk);
    replica = await c.startReplica();
  });
  afterAll(async () => {
    await replica?.app.close();
    await c?.stop();
  });

  const get = async (base: string, path: string): Promise<any> => (await (await fetch(base + path, { headers: { accept: 'application/json' } })).json()); // eslint-disable-line @typescript-eslint/no-explicit-any
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const running = (_: string): Array<{ id: string }> => ((c.mesos.state() as any).tasks as any[]).filter((t) => t.id.startsWith('svc.') && t.state === 'TASK_RUNNING');

  it('hands over to the standby, which adopts the instances and keeps converging', async () => {
    await eventually(async () => (await get(c.url, '/v2/info')).elected === true, 30_000, 'the first replica to lead');
    expect((await get(replica!.url, '/v2/info')).elected).toBe(false);
    const res = await fetch(`${replica!.url}/v2/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: '/svc', cmd: 'sleep 1000', cpus: 0.05, mem: 16, instances: 3 }) });
    expect(res.status).toBe(201); // any replica takes writes
    const before = await eventually(async () => {
      const tasks = (await get(replica!.url, '/v2/apps/svc')).app.tasks as Array<{ id: string; state: string }>;
      return tasks.length === 3 && tasks.every((t) => t.state === 'TASK_RUNNING') ? tasks.map((t) => t.id).sort() : undefined;
    }, 30_000, '3 running, seen from the standby');

    await c.stopPacer(); // the leader goes away: its ZooKeeper session closes
    await eventually(async () => (await get(replica!.url, '/v2/info')).elected === true, 30_000, 'the standby to lead');
    const leader = await get(replica!.url, '/v2/leader');
    expect(leader.leader).toBe(replica!.url.replace('http://', ''));
    // Same instances adopted, none launched twice.
    await eventually(async () => /pacer_mesos_subscribed 1/.test(await (await fetch(`${replica!.url}/metrics`)).text()), 30_000, 'the new leader subscribed');
    const after = (await get(replica!.url, '/v2/apps/svc')).app.tasks as Array<{ id: string }>;
    expect(after.map((t) => t.id).sort()).toEqual(before);
    expect(running('x').map((t) => t.id).sort()).toEqual(before);
    // And it converges: scale to 4.
    const scaled = await fetch(`${replica!.url}/v2/apps/svc`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: 4 }) });
    expect(scaled.status).toBe(200);
    await eventually(() => running('x').length === 4, 30_000, '4 running after the scale');
    expect(await (await fetch(`${replica!.url}/metrics`)).text()).toMatch(/pacer_tasks_launched_total 1\b/);
  });
});
