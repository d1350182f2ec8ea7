// Status updates as agents send them (uuid, one unacknowledged head per task, resend with doubling
// backoff) and RECONCILE / KILL-of-unknown answers (reference §4), both encodings.
import type { LocalMesos } from '../index';
import { eventually, frameworkInfo, SchedulerClient, type EventStream } from '../testing/client';
import { ENCODINGS, launch, startFast, taskInfo, untilState } from './harness';

describe.each(ENCODINGS)('status updates and reconciliation (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;
  let stream: EventStream;

  beforeEach(async () => {
    mesos = await startFast({ statusUpdateResendSeconds: 0.15 });
    client = new SchedulerClient(mesos.url, encoding);
    stream = await client.subscribeOk(frameworkInfo());
  });
  afterEach(async () => {
    client.close();
    await mesos.stop();
  });

  it('sends one reliable update at a time, resends it with doubling backoff, and moves on after ACK', async () => {
    await launch(stream, (o) => [taskInfo('t1', o, 'sleep 30')]);
    const first = await stream.update('t1');
    expect(first).toMatchObject({ state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' });
    expect(first.uuid).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(Buffer.from(first.uuid!, 'base64')).toHaveLength(16);
    expect(first.executor_id!.value).toBe('t1');
    const backoff = (): number => (mesos.state().tasks as { id: string; status_update_backoff_ms?: number }[]).find((t) => t.id === 't1')!.status_update_backoff_ms!;
    // Not acknowledged: the same STARTING comes back, RUNNING waits behind it.
    const r1 = await stream.update('t1');
    // Doubling backoff, read from the master rather than timed: after n resends it is at least
    // 150 ms · 2^n (it only grows, so a late read can only see more resends, never fewer).
    expect(backoff()).toBeGreaterThanOrEqual(300);
    const r2 = await stream.update('t1');
    expect(backoff()).toBeGreaterThanOrEqual(600);
    expect([r1.state, r2.state]).toEqual(['TASK_STARTING', 'TASK_STARTING']);
    expect([r1.uuid, r2.uuid]).toEqual([first.uuid, first.uuid]);
    await stream.ack(first);
    const running = await stream.update('t1', 'TASK_RUNNING');
    expect(running.uuid).not.toEqual(first.uuid);
    await stream.ack(running);
    // A duplicate acknowledgement is harmless.
    expect((await stream.ack(running)).status).toBe(202);
  });

  it('forgets a task once its terminal update is acknowledged', async () => {
    await launch(stream, (o) => [taskInfo('quick', o, 'exit 0')]);
    const finished = await untilState(stream, 'quick', 'TASK_FINISHED');
    expect(finished.message).toBe('Command exited with status 0');
    await eventually(() => (mesos.state().tasks as unknown[]).length === 0, 5000, 'task forgotten');
    await stream.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'quick' }, agent_id: finished.agent_id }] } });
    expect(await stream.update('quick')).toMatchObject({ state: 'TASK_GONE', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
  });

  it('answers explicit reconciliation per the decision table', async () => {
    const offer = await launch(stream, (o) => [taskInfo('known', o, 'sleep 30')], mesos.agentIds[0]);
    await untilState(stream, 'known', 'TASK_RUNNING');
    await stream.call({
      type: 'RECONCILE',
      reconcile: {
        tasks: [
          { task_id: { value: 'known' }, agent_id: offer.agent_id },
          { task_id: { value: 'never-agent' }, agent_id: offer.agent_id },
          { task_id: { value: 'never-none' } },
          { task_id: { value: 'never-unknown-agent' }, agent_id: { value: 'no-such-agent' } },
        ],
      },
    });
    const known = await stream.update('known');
    expect(known).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    expect(known.uuid).toBeUndefined();
    expect((await stream.update('never-agent')).state).toBe('TASK_GONE');
    expect((await stream.update('never-none')).state).toBe('TASK_UNKNOWN');
    expect((await stream.update('never-unknown-agent')).state).toBe('TASK_UNKNOWN');
    await mesos.stopAgent(1);
    await stream.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'behind' }, agent_id: { value: mesos.agentIds[1] } }] } });
    const behind = await stream.update('behind');
    expect(behind.state).toBe('TASK_UNREACHABLE');
    expect(behind.unreachable_time!.nanoseconds).toBeGreaterThan(0);
  });

  it('answers implicit reconciliation with every known task', async () => {
    await launch(stream, (o) => [taskInfo('a', o, 'sleep 30'), taskInfo('b', o, 'sleep 30')]);
    await untilState(stream, 'a', 'TASK_RUNNING');
    await untilState(stream, 'b', 'TASK_RUNNING');
    await stream.call({ type: 'RECONCILE', reconcile: {} });
    for (const id of ['a', 'b']) expect(await stream.update(id)).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION' });
  });

  it('answers KILL of an unknown task like reconciliation', async () => {
    await stream.call({ type: 'KILL', kill: { task_id: { value: 'ghost' }, agent_id: { value: mesos.agentIds[0] } } });
    expect(await stream.update('ghost')).toMatchObject({ state: 'TASK_GONE', source: 'SOURCE_MASTER' });
    await stream.call({ type: 'KILL', kill: { task_id: { value: 'ghost2' } } });
    expect((await stream.update('ghost2')).state).toBe('TASK_UNKNOWN');
  });

  it('maps partition states to TASK_LOST for frameworks without PARTITION_AWARE', async () => {
    const plain = await client.subscribeOk(frameworkInfo({ name: 'plain', capabilities: [], roles: undefined }));
    await plain.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'x' }, agent_id: { value: mesos.agentIds[0] } }, { task_id: { value: 'y' } }] } });
    expect((await plain.update('x')).state).toBe('TASK_LOST');
    expect((await plain.update('y')).state).toBe('TASK_LOST');
  });
});
