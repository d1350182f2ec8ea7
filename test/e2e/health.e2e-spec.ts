// Issue 7 end to end: Pacer-side HTTP and TCP health checks (probes through Redis, worked by the
// replica's probe worker) on local-mesos with real processes.
import { Cluster, eventually } from './cluster';

jest.setTimeout(120_000);

/** `/health` answers 200 for FAIL_AFTER seconds after start (forever when unset), then 500. */
function serverCommand(): string {
  const js =
    "const t=Date.now();require('http').createServer((q,s)=>{const f=+process.env.FAIL_AFTER;" +
    "s.statusCode=q.url==='/health'&&f&&Date.now()-t>f*1000?500:200;s.end('ok')}).listen(+process.env.PORT0,'0.0.0.0')";
  return `exec ${JSON.stringify(process.execPath)} -e ${JSON.stringify(js)}`;
}

interface Task {
  id: string;
  state: string;
  healthCheckResults: Array<{ alive: boolean; consecutiveFailures: number; lastFailureCause: string | null; instanceId: string }>;
}

describe('Pacer-side health checks on local-mesos', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await Cluster.start();
  });
  afterAll(async () => {
    await c?.stop();
  });
  const app = async (id: string): Promise<{ tasksHealthy: number; tasksUnhealthy: number; tasks: Task[]; deployments: unknown[] }> =>
    (await c.request('GET', `/v2/apps${id}`)).body.app;

  it('marks instances healthy over HTTP and TCP, with healthCheckResults on every task', async () => {
    const res = await c.request('POST', '/v2/apps', {
      id: '/hc-ok', cmd: serverCommand(), cpus: 0.05, mem: 16, instances: 2,
      healthChecks: [
        { protocol: 'HTTP', path: '/health', portIndex: 0, gracePeriodSeconds: 5, intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 3 },
        { protocol: 'TCP', portIndex: 0, gracePeriodSeconds: 5, intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 3 },
      ],
    });
    expect(res.status).toBe(201);
    const a = await eventually(async () => {
      const x = await app('/hc-ok');
      return x.tasksHealthy === 2 && x.deployments.length === 0 && x.tasks.every((t) => t.healthCheckResults.length === 2) ? x : undefined;
    }, 30_000, '2 healthy, both checks reported, and the deployment done').catch(async (e) => {
      throw new Error(`${(e as Error).message}: ${JSON.stringify(await app('/hc-ok'))}`);
    });
    for (const t of a.tasks) {
      expect(t.healthCheckResults).toHaveLength(2);
      expect(t.healthCheckResults.every((r) => r.alive)).toBe(true);
    }
    await c.request('DELETE', '/v2/apps/hc-ok');
  });

  it('replaces an instance whose health endpoint starts failing', async () => {
    const res = await c.request('POST', '/v2/apps', {
      id: '/hc-fail', cmd: serverCommand(), cpus: 0.05, mem: 16, instances: 1, env: { FAIL_AFTER: '4' },
      healthChecks: [{ protocol: 'HTTP', path: '/health', portIndex: 0, gracePeriodSeconds: 2, intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 1 }],
    });
    expect(res.status).toBe(201);
    const first = await eventually(async () => {
      const x = await app('/hc-fail');
      return x.tasksHealthy === 1 ? x.tasks[0] : undefined;
    }, 30_000, 'healthy at first');
    const failing = await eventually(async () => {
      const t = (await app('/hc-fail')).tasks.find((x) => x.id === first.id);
      return t && t.healthCheckResults[0]?.alive === false ? t : undefined;
    }, 30_000, 'the check to fail');
    expect(failing.healthCheckResults[0].lastFailureCause).toMatch(/500/);
    await eventually(async () => !(await app('/hc-fail')).tasks.some((t) => t.id === first.id), 60_000, 'the failing task killed');
    const after = await app('/hc-fail');
    expect(after.tasks.length).toBeGreaterThanOrEqual(1);
    await c.request('DELETE', '/v2/apps/hc-fail');
  });
});
