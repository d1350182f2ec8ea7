// SHUTDOWN, MESSAGE and REQUEST with Mesos' semantics, both encodings: SHUTDOWN of a command
// executor kills its task; MESSAGE is best effort (counted valid/invalid by the master, delivered to
// a running executor, which ignores it); REQUEST is handed to an allocator that ignores it. None is
// answered with an event.
import type { LocalMesos } from '../index';
import { eventually, frameworkInfo, rawRequest, SchedulerClient, type EventStream } from '../testing/client';
import { alive, ENCODINGS, launch, startFast, taskInfo, untilState } from './harness';

jest.setTimeout(15_000);

type Snapshot = Record<string, number>;

describe.each(ENCODINGS)('SHUTDOWN, MESSAGE and REQUEST (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;
  let stream: EventStream;

  beforeEach(async () => {
    mesos = await startFast({ agents: 1 });
    client = new SchedulerClient(mesos.url, encoding);
    stream = await client.subscribeOk(frameworkInfo({ failover_timeout: 30 }));
  });
  afterEach(async () => {
    client.close();
    await mesos.stop();
  });

  const snapshot = async (): Promise<Snapshot> => JSON.parse((await rawRequest(`${mesos.url}/metrics/snapshot`, { method: 'GET' })).body) as Snapshot;
  const localMessages = async (): Promise<Snapshot> =>
    (JSON.parse((await rawRequest(`${mesos.url}/__local/metrics`, { method: 'GET' })).body) as { messages: Snapshot }).messages;
  const pidOf = (id: string): Promise<number> =>
    eventually(() => (mesos.state().tasks as { id: string; pid?: number }[]).find((t) => t.id === id)?.pid, 5000, `pid of ${id}`);
  const agentId = (): string => mesos.agentIds[0];

  it('SHUTDOWN of a command executor kills its task (KILLING, KILLED) and its process group', async () => {
    await launch(stream, (o) => [taskInfo('exec-1', o, 'sleep 100', { graceSeconds: 0.2 })]);
    await untilState(stream, 'exec-1', 'TASK_RUNNING');
    const pid = await pidOf('exec-1');
    const r = await stream.call({ type: 'SHUTDOWN', shutdown: { executor_id: { value: 'exec-1' }, agent_id: { value: agentId() } } });
    expect(r.status).toBe(202);
    await untilState(stream, 'exec-1', 'TASK_KILLING');
    const killed = await untilState(stream, 'exec-1', 'TASK_KILLED');
    expect(killed.executor_id!.value).toBe('exec-1');
    await eventually(() => !alive(-pid), 5000, 'process group gone');
    expect((await snapshot())['master/messages_shutdown_executor']).toBe(1);
  });

  it('SHUTDOWN of an unknown executor or agent changes nothing and sends nothing', async () => {
    await launch(stream, (o) => [taskInfo('bystander', o, 'sleep 100')]);
    await untilState(stream, 'bystander', 'TASK_RUNNING');
    const pid = await pidOf('bystander');
    expect((await stream.call({ type: 'SHUTDOWN', shutdown: { executor_id: { value: 'nobody' }, agent_id: { value: agentId() } } })).status).toBe(202);
    expect((await stream.call({ type: 'SHUTDOWN', shutdown: { executor_id: { value: 'bystander' }, agent_id: { value: 'no-such-agent' } } })).status).toBe(202);
    await eventually(async () => (await snapshot())['master/messages_shutdown_executor'] === 2, 5000, 'both counted');
    expect((await localMessages()).shutdowns_of_unknown_executors).toBe(1);
    // A reconciliation answer arriving proves every event sent before it has been seen.
    await stream.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'bystander' } }] } });
    expect((await stream.update('bystander')).state).toBe('TASK_RUNNING');
    expect(stream.events.filter((e) => e.type === 'UPDATE' && e.update!.status.task_id.value !== 'bystander')).toEqual([]);
    expect(alive(pid)).toBe(true);
  });

  it('MESSAGE is best effort: valid for a registered agent, invalid otherwise, never answered', async () => {
    await launch(stream, (o) => [taskInfo('listener', o, 'sleep 100')]);
    await untilState(stream, 'listener', 'TASK_RUNNING');
    const data = Buffer.from('hello executor').toString('base64');
    const send = (agent: string, executor: string): Promise<{ status: number }> =>
      stream.call({ type: 'MESSAGE', message: { agent_id: { value: agent }, executor_id: { value: executor }, data } });
    expect((await send(agentId(), 'listener')).status).toBe(202);
    expect((await send(agentId(), 'not-running')).status).toBe(202);
    expect((await send('no-such-agent', 'listener')).status).toBe(202);
    await mesos.stopAgent(0, 'partition');
    expect((await send(agentId(), 'listener')).status).toBe(202);
    const s = await snapshot();
    expect(s['master/messages_framework_to_executor']).toBe(4);
    expect(s['master/valid_framework_to_executor_messages']).toBe(2);
    expect(s['master/invalid_framework_to_executor_messages']).toBe(2);
    expect(s['slave/invalid_framework_messages']).toBe(1);
    expect(await localMessages()).toMatchObject({ framework_messages_delivered: 1, framework_messages_dropped: 1 });
    expect(stream.events.some((e) => e.type === 'MESSAGE')).toBe(false);
  });

  it('MESSAGE without data is a 400 (all three fields are required)', async () => {
    let r;
    if (encoding === 'json') {
      r = await stream.call({ type: 'MESSAGE', message: { agent_id: { value: agentId() }, executor_id: { value: 'x' } } });
    } else {
      // protobufjs would fill the required bytes field with an empty value; build the bytes by hand.
      const ld = (field: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([(field << 3) | 2, body.length]), body]);
      const id = (field: number, value: string): Buffer => ld(field, ld(1, Buffer.from(value)));
      const body = Buffer.concat([id(1, stream.frameworkId!), Buffer.from([2 << 3, 10]), ld(10, Buffer.concat([id(1, agentId()), id(2, 'x')]))]);
      r = await rawRequest(client.url, { headers: { 'Content-Type': 'application/x-protobuf', 'Mesos-Stream-Id': stream.streamId }, body });
    }
    expect(r.status).toBe(400);
  });

  it('REQUEST is accepted and ignored by the allocator: offers are unchanged', async () => {
    const before = await eventually(() => stream.events.find((e) => e.type === 'OFFERS'), 5000, 'first offer');
    const r = await stream.call({
      type: 'REQUEST',
      request: { requests: [{ agent_id: { value: agentId() }, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 100 } }] }] },
    });
    expect(r.status).toBe(202);
    expect((await snapshot())['master/messages_resource_request']).toBe(1);
    // The outstanding offer is neither rescinded nor replaced; nothing is offered beyond the agent.
    await stream.call({ type: 'RECONCILE', reconcile: {} });
    const frameworks = mesos.state().frameworks as { offers: { id: string; resources: { cpus: number } }[] }[];
    expect(frameworks[0].offers.map((o) => o.id)).toEqual([before.offers!.offers[0].id.value]);
    expect(frameworks[0].offers[0].resources.cpus).toBe(4);
    expect(stream.events.some((e) => e.type === 'RESCIND')).toBe(false);
  });
});
