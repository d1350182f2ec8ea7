// Framework failover: disconnect/resubscribe inside and outside failover_timeout, "Framework failed
// over", "Framework has been removed", TEARDOWN, and framework-level ERROR events, both encodings.
import type { LocalMesos } from '../index';
import { eventually, frameworkInfo, SchedulerClient, type EventStream } from '../testing/client';
import { alive, ENCODINGS, launch, startFast, taskInfo, untilState } from './harness';

jest.setTimeout(15_000);

describe.each(ENCODINGS)('framework failover (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;

  beforeEach(async () => {
    mesos = await startFast();
    client = new SchedulerClient(mesos.url, encoding);
  });
  afterEach(async () => {
    client.close();
    await mesos.stop();
  });

  const pidOf = (id: string): Promise<number> =>
    eventually(() => (mesos.state().tasks as { id: string; pid?: number }[]).find((t) => t.id === id)?.pid, 5000, `pid of ${id}`);
  const frameworkIds = (): string[] => (mesos.state().frameworks as { id: string }[]).map((f) => f.id);

  async function runningTask(stream: EventStream, id: string): Promise<number> {
    await launch(stream, (o) => [taskInfo(id, o, 'sleep 100')]);
    await untilState(stream, id, 'TASK_RUNNING');
    return pidOf(id);
  }

  it('keeps tasks when the framework resubscribes within failover_timeout', async () => {
    const info = frameworkInfo({ failover_timeout: 30 });
    const first = await client.subscribeOk(info);
    const pid = await runningTask(first, 'keep');
    first.close();
    await eventually(() => !(mesos.state().frameworks as { connected: boolean }[])[0].connected, 5000, 'disconnect noticed');
    const second = await client.subscribeOk(info, { frameworkId: first.frameworkId });
    expect(second.frameworkId).toBe(first.frameworkId);
    expect(second.streamId).not.toBe(first.streamId);
    await second.call({ type: 'RECONCILE', reconcile: {} });
    expect((await second.update('keep')).state).toBe('TASK_RUNNING');
    expect(alive(pid)).toBe(true);
  });

  it('kills the tasks and removes the framework when failover_timeout expires', async () => {
    const info = frameworkInfo({ failover_timeout: 0.3 });
    const first = await client.subscribeOk(info);
    const pid = await runningTask(first, 'doomed');
    first.close();
    await eventually(() => frameworkIds().length === 0, 5000, 'framework removed');
    await eventually(() => !alive(-pid), 5000, 'task process gone');
    const again = await client.subscribe(info, { frameworkId: first.frameworkId });
    const error = await again.takeType('ERROR');
    expect(error.error!.message).toBe('Framework has been removed');
    await again.waitClosed();
  });

  it('removes a framework with failover_timeout 0 as soon as it disconnects', async () => {
    const first = await client.subscribeOk(frameworkInfo({ failover_timeout: 0 }));
    first.close();
    await eventually(() => frameworkIds().length === 0, 5000, 'framework removed');
  });

  it('sends "Framework failed over" to the old stream when the same id subscribes again', async () => {
    const info = frameworkInfo({ failover_timeout: 30 });
    const first = await client.subscribeOk(info);
    const second = await client.subscribeOk(info, { frameworkId: first.frameworkId });
    const error = await first.takeType('ERROR');
    expect(error.error!.message).toBe('Framework failed over');
    await first.waitClosed();
    expect(second.frameworkId).toBe(first.frameworkId);
    // The old stream id is dead; the new one works.
    expect((await first.call({ type: 'REVIVE' })).status).toBe(400);
    expect((await second.call({ type: 'REVIVE' })).status).toBe(202);
  });

  it('resends unacknowledged updates to the resubscribed framework', async () => {
    const info = frameworkInfo({ failover_timeout: 30 });
    const first = await client.subscribeOk(info);
    await launch(first, (o) => [taskInfo('pending', o, 'sleep 100')]);
    const starting = await first.update('pending', 'TASK_STARTING');
    first.close();
    const second = await client.subscribeOk(info, { frameworkId: first.frameworkId });
    const again = await second.update('pending', 'TASK_STARTING');
    expect(again.uuid).toBe(starting.uuid);
  });

  it('accepts an id unknown to this master (master failover) and rebuilds the framework', async () => {
    const id = `${mesos.masterId}-from-old-master`;
    const stream = await client.subscribeOk(frameworkInfo({ failover_timeout: 30 }), { frameworkId: id });
    expect(stream.frameworkId).toBe(id);
  });

  it('TEARDOWN kills tasks, closes the stream and retires the id', async () => {
    const info = frameworkInfo({ failover_timeout: 30 });
    const stream = await client.subscribeOk(info);
    const pid = await runningTask(stream, 'torn');
    expect((await stream.call({ type: 'TEARDOWN' })).status).toBe(202);
    await stream.waitClosed();
    await eventually(() => !alive(-pid), 5000, 'task process gone');
    const again = await client.subscribe(info, { frameworkId: stream.frameworkId });
    expect((await again.takeType('ERROR')).error!.message).toBe('Framework has been removed');
  });

  it('reports framework-level validation failures as 200 + ERROR event', async () => {
    const stream = await client.subscribe(frameworkInfo({ capabilities: [], roles: ['a'] }));
    expect(stream.res.statusCode).toBe(200);
    const error = await stream.takeType('ERROR');
    expect(error.error!.message).toMatch(/MULTI_ROLE/);
    await stream.waitClosed();
    const bad = await client.subscribe(frameworkInfo({ failover_timeout: -1 }));
    expect((await bad.takeType('ERROR')).error!.message).toMatch(/failover_timeout/);
  });
});
