// Issue 6 end to end: rolling restarts and upgrades on local-mesos with real processes and a health
// check, sampled throughout to check the upgradeStrategy bounds; a never-healthy upgrade keeps the old
// instances and says why; rollback keeps the instances that already run the original; restart; a
// forced change over a running deployment; Pacer restarted mid-deployment.
import { EventBus } from '../../src/events/event-bus';
import { Cluster, eventually } from './cluster';

jest.setTimeout(120_000);

interface Task {
  id: string;
  state: string;
  version: string;
}
interface AppInfo {
  tasksRunning: number;
  tasksHealthy: number;
  tasksStaged: number;
  tasks: Task[];
  deployments: { id: string }[];
  version: string;
}

/**
 * An HTTP server whose `/health` answers 200 (500 when BROKEN is set) and whose `/ready` answers 503
 * until READY_AFTER seconds after it started.
 */
function serverCommand(): string {
  const js =
    "const t=Date.now();require('http').createServer((q,s)=>{s.statusCode=q.url==='/health'&&process.env.BROKEN?500:" +
    "q.url==='/ready'&&Date.now()-t<1000*(+process.env.READY_AFTER||0)?503:200;s.end(process.env.VERSION||'')})" +
    ".listen(+process.env.PORT0,'0.0.0.0')"; // every loopback address: agents' hostnames are 127.0.0.x
  return `exec ${JSON.stringify(process.execPath)} -e ${JSON.stringify(js)}`;
}

const HEALTH = [{ protocol: 'MESOS_HTTP', path: '/health', portIndex: 0, gracePeriodSeconds: 10, intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 2, delaySeconds: 0 }];

describe('rolling deployments on local-mesos', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await Cluster.start();
  });
  afterAll(async () => {
    await c?.stop();
  });

  const app = async (id: string): Promise<AppInfo> => (await c.request('GET', `/v2/apps${id}`)).body.app as AppInfo;
  const healthy = (id: string, n: number): Promise<AppInfo> =>
    eventually(async () => {
      const a = await app(id);
      return a.tasksHealthy === n && a.tasks.length === n && a.deployments.length === 0 ? a : undefined;
    }, 60_000, `${n} healthy tasks of ${id} and no deployment`);

  /** Samples the app every 50 ms while `during` runs; returns the samples. */
  async function sample(id: string, during: () => Promise<unknown>): Promise<AppInfo[]> {
    const samples: AppInfo[] = [];
    let done = false;
    const loop = (async () => {
      while (!done) {
        samples.push(await app(id));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await during();
    } finally {
      done = true;
      await loop;
    }
    return samples;
  }

  async function create(id: string, instances: number, upgradeStrategy: Record<string, number>): Promise<AppInfo> {
    const res = await c.request('POST', '/v2/apps', {
      id, cmd: serverCommand(), cpus: 0.05, mem: 16, instances, env: { VERSION: '1' }, healthChecks: HEALTH, upgradeStrategy,
    });
    expect(res.status).toBe(201);
    return healthy(id, instances);
  }

  it.each<[string, number, number, number, number]>([
    // name, minimumHealthCapacity, maximumOverCapacity, minHealthy, maxCapacity (+1 slack included)
    ['(0.5, 0)', 0.5, 0, 2, 4],
    ['the defaults (1, 1)', 1, 1, 4, 8],
  ])('rolls 4 instances with %s within the bounds', async (name, minHC, maxOC, minHealthy, maxCapacity) => {
    const id = `/roll-${minHC * 10}-${maxOC * 10}`;
    const before = await create(id, 4, { minimumHealthCapacity: minHC, maximumOverCapacity: maxOC });
    const samples = await sample(id, async () => {
      expect((await c.request('PUT', `/v2/apps${id}`, { env: { VERSION: '2' } })).status).toBe(200);
      await eventually(async () => {
        const a = await app(id);
        return a.deployments.length === 0 && a.tasksHealthy === 4 && a.tasks.every((t) => t.version === a.version) ? a : undefined;
      }, 60_000, `${name}: upgrade finished`);
    });
    for (const s of samples) {
      expect(s.tasksHealthy).toBeGreaterThanOrEqual(minHealthy);
      expect(s.tasks.length).toBeLessThanOrEqual(maxCapacity);
    }
    const after = await app(id);
    expect(after.tasks.map((t) => t.id).filter((t) => before.tasks.some((b) => b.id === t))).toEqual([]);
    expect(samples.length).toBeGreaterThan(5);
    await c.request('DELETE', `/v2/apps${id}`);
  });

  it('keeps the old instances serving when the new version never becomes healthy, says why, and rolls back without restarting them', async () => {
    const id = '/broken-upgrade';
    const before = await create(id, 2, { minimumHealthCapacity: 1, maximumOverCapacity: 1 });
    const res = await c.request('PUT', `/v2/apps${id}`, { env: { VERSION: '2', BROKEN: '1' } });
    expect(res.status).toBe(200);
    const deploymentId = res.body.deploymentId as string;
    const status = await eventually(async () => {
      const d = (await c.request('GET', `/v2/deployments/${deploymentId}`)).body;
      const reasons: string[] = d?.currentActions?.[0]?.reasons ?? [];
      return reasons.some((r) => /not healthy|failing|backoff/.test(r)) ? d : undefined;
    }, 30_000, 'a reason in the deployment status');
    expect(status.currentActions[0]).toMatchObject({ action: 'RestartApplication', app: id });
    expect(status.currentActions[0].progress.target).toBe(2);
    // Marathon's list keeps Marathon's keys only.
    const listed = ((await c.request('GET', '/v2/deployments')).body as Array<Record<string, unknown>>).find((d) => d.id === deploymentId);
    expect(Object.keys((listed?.currentActions as object[])[0]).sort()).toEqual(['action', 'app', 'readinessCheckResults']);
    const during = await app(id);
    expect(during.tasks.filter((t) => before.tasks.some((b) => b.id === t.id) && t.state === 'TASK_RUNNING')).toHaveLength(2);
    expect(during.tasksHealthy).toBeGreaterThanOrEqual(2);

    const rollback = await c.request('DELETE', `/v2/deployments/${deploymentId}`);
    expect(rollback.status).toBe(200);
    const restored = await eventually(async () => {
      const a = await app(id);
      return a.deployments.length === 0 && a.tasks.length === 2 && a.tasksHealthy === 2 ? a : undefined;
    }, 30_000, 'rollback finished');
    // Unlike Marathon, the instances that already ran the original definition were kept.
    expect(restored.tasks.map((t) => t.id).sort()).toEqual(before.tasks.map((t) => t.id).sort());
    await c.request('DELETE', `/v2/apps${id}`);
  });

  it('restarts every instance on POST /v2/apps/{id}/restart', async () => {
    const id = '/restarted';
    const before = await create(id, 2, { minimumHealthCapacity: 1, maximumOverCapacity: 1 });
    expect((await c.request('POST', `/v2/apps${id}/restart`)).status).toBe(200);
    const after = await eventually(async () => {
      const a = await app(id);
      return a.deployments.length === 0 && a.tasksHealthy === 2 && a.tasks.length === 2 && a.tasks.every((t) => !before.tasks.some((b) => b.id === t.id)) ? a : undefined;
    }, 60_000, 'all replaced');
    expect(after.version > before.version).toBe(true);
    await c.request('DELETE', `/v2/apps${id}`);
  });

  it("publishes Marathon's deployment and instance events on the internal bus", async () => {
    const events: Array<Record<string, unknown>> = [];
    const bus = c.pacer!.get(EventBus);
    const off = bus.subscribe(undefined, (e) => {
      events.push(JSON.parse(e.json) as Record<string, unknown>);
    });
    try {
      const res = await c.request('POST', '/v2/apps', { id: '/evented', cmd: 'sleep 1000', cpus: 0.05, mem: 16, instances: 1 });
      const deploymentId = res.body.deployments[0].id as string;
      await eventually(() => events.some((e) => e.eventType === 'deployment_success' && e.id === deploymentId), 20_000, 'deployment_success');
      const ofPlan = events.filter((e) => (e.plan as { id?: string } | undefined)?.id === deploymentId || e.id === deploymentId).map((e) => e.eventType);
      expect(ofPlan).toEqual(['deployment_info', 'deployment_step_success', 'deployment_info', 'deployment_step_success', 'deployment_success']);
      const updates = events.filter((e) => e.eventType === 'status_update_event' && e.appId === '/evented');
      expect(updates.map((e) => e.taskStatus)).toContain('TASK_RUNNING');
      expect(events.some((e) => e.eventType === 'instance_changed_event' && e.runSpecId === '/evented' && e.condition === 'Running')).toBe(true);
      await c.request('DELETE', '/v2/apps/evented');
      await eventually(() => events.some((e) => e.eventType === 'app_terminated_event' && e.appId === '/evented'), 20_000, 'app_terminated_event');
    } finally {
      off();
    }
  });

  it('a forced change supersedes a running deployment and finishes', async () => {
    const id = '/forced';
    await create(id, 2, { minimumHealthCapacity: 1, maximumOverCapacity: 1 });
    const stuck = await c.request('PUT', `/v2/apps${id}`, { env: { VERSION: '2', BROKEN: '1' } });
    expect(stuck.status).toBe(200);
    const locked = await c.request('PUT', `/v2/apps${id}`, { env: { VERSION: '3' } });
    expect(locked.status).toBe(409);
    const forced = await c.request('PUT', `/v2/apps${id}?force=true`, { env: { VERSION: '3' } });
    expect(forced.status).toBe(200);
    const done = await healthy(id, 2);
    expect(done.tasks.every((t) => t.version === done.version)).toBe(true);
    const ids = ((await c.request('GET', '/v2/deployments')).body as Array<{ id: string }>).map((d) => d.id);
    expect(ids).not.toContain(stuck.body.deploymentId);
    await c.request('DELETE', `/v2/apps${id}`);
  });

  it('waits for readiness checks of new instances, showing their results', async () => {
    const id = '/readied';
    const res = await c.request('POST', '/v2/apps', {
      id, cmd: serverCommand(), cpus: 0.05, mem: 16, instances: 2, env: { VERSION: '1', READY_AFTER: '8' },
      portDefinitions: [{ port: 0, name: 'http' }],
      readinessChecks: [{ name: 'ready', protocol: 'HTTP', path: '/ready', portName: 'http', intervalSeconds: 2, timeoutSeconds: 1, httpStatusCodesForReady: [200], preserveLastResponse: true }],
    });
    expect(res.status).toBe(201);
    const deploymentId = res.body.deployments[0].id as string;
    const waiting = await eventually(async () => {
      const d = (await c.request('GET', `/v2/deployments/${deploymentId}`)).body;
      const results = (d?.currentActions ?? []).flatMap((a: { readinessCheckResults: unknown[] }) => a.readinessCheckResults);
      return results.some((r: { ready: boolean; lastResponse?: { status: number } }) => !r.ready && r.lastResponse?.status === 503) ? d : undefined;
    }, 20_000, 'unready results in the deployment');
    expect(waiting.currentActions.some((a: { reasons: string[] }) => a.reasons.some((r) => /not ready/.test(r)))).toBe(true);
    const listed = ((await c.request('GET', '/v2/deployments')).body as Array<{ id: string; currentActions: Array<{ readinessCheckResults: unknown[] }> }>).find((d) => d.id === deploymentId);
    expect(listed === undefined || listed.currentActions.every((a) => Array.isArray(a.readinessCheckResults))).toBe(true);
    const started = Date.now();
    await eventually(async () => (await app(id)).deployments.length === 0, 30_000, 'ready and done');
    expect(Date.now() - started).toBeLessThan(30_000);
    await c.request('DELETE', `/v2/apps${id}`);
  });

  it('finishes a deployment correctly when Pacer restarts in the middle of it', async () => {
    const id = '/resumed';
    const before = await create(id, 4, { minimumHealthCapacity: 1, maximumOverCapacity: 0 });
    const samples: AppInfo[] = [];
    expect((await c.request('PUT', `/v2/apps${id}`, { env: { VERSION: '2' } })).status).toBe(200);
    // One at a time: wait until the first new instance is up, then restart Pacer.
    await eventually(async () => {
      const a = await app(id);
      samples.push(a);
      return a.tasks.some((t) => !before.tasks.some((b) => b.id === t.id)) ? a : undefined;
    }, 30_000, 'the first new instance');
    await c.stopPacer();
    await c.startPacer();
    const done = await eventually(async () => {
      const a = await app(id);
      samples.push(a);
      return a.deployments.length === 0 && a.tasksHealthy === 4 && a.tasks.length === 4 && a.tasks.every((t) => t.version === a.version) ? a : undefined;
    }, 90_000, 'the upgrade finished after the restart');
    expect(done.tasks.some((t) => before.tasks.some((b) => b.id === t.id))).toBe(false);
    for (const s of samples) {
      expect(s.tasks.length).toBeLessThanOrEqual(5); // maxCapacity 4, +1 slack
      expect(s.tasksHealthy).toBeGreaterThanOrEqual(4);
    }
    await c.request('DELETE', `/v2/apps${id}`);
  });
});
