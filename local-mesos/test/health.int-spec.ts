// Agent-run health checks (HTTP, TCP, COMMAND) reported as TASK_RUNNING updates with `healthy`.
import type { LocalMesos } from '../index';
import { frameworkInfo, SchedulerClient, type EventStream } from '../testing/client';
import { ENCODINGS, hasPorts, launch, portsOf, startFast, taskInfo, untilState } from './harness';

jest.setTimeout(15_000);

describe.each(ENCODINGS)('health checks (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;
  let stream: EventStream;

  beforeAll(async () => {
    mesos = await startFast({ agents: 1 });
    client = new SchedulerClient(mesos.url, encoding);
    stream = await client.subscribeOk(frameworkInfo({ failover_timeout: 30 }));
  });
  afterAll(async () => {
    client.close();
    await mesos.stop();
  });

  const timing = { delay_seconds: 0, interval_seconds: 0.1, timeout_seconds: 1, grace_period_seconds: 0, consecutive_failures: 2 };
  // A server needs a moment to listen: failures inside the grace period do not count.
  const serving = { ...timing, grace_period_seconds: 10 };
  const server = (port: number): string => `exec node -e "require('http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1')"`;

  async function healthy(id: string, value: boolean): Promise<void> {
    const deadline = Date.now() + 8000;
    for (;;) {
      const s = await stream.update(id, undefined, Math.max(1, deadline - Date.now()));
      if (s.uuid) await stream.ack(s);
      if (s.state === 'TASK_RUNNING' && s.healthy === value) {
        expect(s.reason).toBe('REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
        return;
      }
    }
  }

  it('HTTP: reports healthy once the task answers 2xx', async () => {
    let port = 0;
    await launch(stream, (o) => {
      port = portsOf(o)[0];
      return [taskInfo('web', o, server(port), { ports: [[port, port]], healthCheck: { type: 'HTTP', http: { port, path: '/' }, ...serving } })];
    });
    await healthy('web', true);
  });

  it('TCP: reports healthy when the port accepts connections', async () => {
    const offerPort = await (async () => {
      let p = 0;
      await launch(stream, (o) => {
        p = hasPorts(o) ? portsOf(o)[0] + 10 : 31500;
        return [taskInfo('tcp', o, server(p), { ports: [[p, p]], healthCheck: { type: 'TCP', tcp: { port: p }, ...serving } })];
      });
      return p;
    })();
    expect(offerPort).toBeGreaterThan(0);
    await healthy('tcp', true);
  });

  it('COMMAND: failing checks report unhealthy and kill the task after consecutive_failures', async () => {
    await launch(stream, (o) => [taskInfo('sick', o, 'sleep 100', { graceSeconds: 0.2, healthCheck: { type: 'COMMAND', command: { value: 'exit 1' }, ...timing } })]);
    await healthy('sick', false);
    const killed = await untilState(stream, 'sick', 'TASK_KILLED');
    expect(killed.healthy).toBe(false);
  });

  it('ignores failures inside the grace period until the first success', async () => {
    await launch(stream, (o) => [
      taskInfo('slowstart', o, 'sleep 0.4; touch ready; sleep 100', {
        healthCheck: { type: 'COMMAND', command: { value: 'test -f ready' }, ...timing, grace_period_seconds: 5 },
      }),
    ]);
    await healthy('slowstart', true);
    expect(stream.events.some((e) => e.update?.status.task_id.value === 'slowstart' && e.update.status.healthy === false)).toBe(false);
  });
});
