// Operator controls: stopping and restarting agents (kill and partition modes), GET /state.
import type { LocalMesos } from '../index';
import { eventually, frameworkInfo, rawRequest, SchedulerClient, type EventStream } from '../testing/client';
import { alive, ENCODINGS, launch, nextOffer, startFast, taskInfo, untilState } from './harness';

jest.setTimeout(15_000);

interface AgentState {
  id: string;
  active: boolean;
  state: string;
  used_resources: { cpus: number; mem: number };
  free_resources: { cpus: number };
  offered_resources: { cpus: number };
}

describe.each(ENCODINGS)('agents and operator controls (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;
  let stream: EventStream;

  beforeEach(async () => {
    mesos = await startFast();
    client = new SchedulerClient(mesos.url, encoding);
    stream = await client.subscribeOk(frameworkInfo({ failover_timeout: 30 }));
  });
  afterEach(async () => {
    client.close();
    await mesos.stop();
  });

  const pidOf = (id: string): Promise<number> =>
    eventually(() => (mesos.state().tasks as { id: string; pid?: number }[]).find((t) => t.id === id)?.pid, 5000, `pid of ${id}`);

  it('GET /state lists frameworks, agents with free/used resources, and tasks with states', async () => {
    await launch(stream, (o) => [taskInfo('s1', o, 'sleep 100', { cpus: 1, mem: 128 })], mesos.agentIds[0]);
    await untilState(stream, 's1', 'TASK_RUNNING');
    const r = await rawRequest(`${mesos.url}/state`, { method: 'GET' });
    expect(r.status).toBe(200);
    const state = JSON.parse(r.body) as { frameworks: { id: string; connected: boolean }[]; agents: AgentState[]; tasks: { id: string; state: string; agent_id: string }[] };
    expect(state.frameworks).toEqual([expect.objectContaining({ id: stream.frameworkId, connected: true })]);
    const a0 = state.agents.find((a) => a.id === mesos.agentIds[0])!;
    expect(a0.used_resources).toMatchObject({ cpus: 1, mem: 128 });
    expect(a0.free_resources.cpus + a0.offered_resources.cpus).toBe(3);
    expect(state.tasks).toEqual([expect.objectContaining({ id: 's1', state: 'TASK_RUNNING', agent_id: mesos.agentIds[0] })]);
    const op = await rawRequest(`${mesos.url}/__local/state?tasks=false`, { method: 'GET' });
    expect(JSON.parse(op.body).tasks).toBeUndefined();
  });

  it('stopping an agent kills its processes and reports TASK_UNREACHABLE; restarting reports TASK_GONE', async () => {
    await launch(stream, (o) => [taskInfo('lost-one', o, 'sleep 100')], mesos.agentIds[1]);
    await untilState(stream, 'lost-one', 'TASK_RUNNING');
    const pid = await pidOf('lost-one');
    const r = await rawRequest(`${mesos.url}/__local/agents/${mesos.agentIds[1]}/stop`, {});
    expect(r.status).toBe(200);
    const unreachable = await stream.update('lost-one', 'TASK_UNREACHABLE');
    expect(unreachable).toMatchObject({ reason: 'REASON_AGENT_REMOVED', source: 'SOURCE_MASTER' });
    expect(unreachable.uuid).toBeUndefined();
    expect(unreachable.unreachable_time!.nanoseconds).toBeGreaterThan(0);
    expect((await stream.takeType('FAILURE')).failure!.agent_id!.value).toBe(mesos.agentIds[1]);
    await eventually(() => !alive(-pid), 5000, 'process gone');
    const agents = mesos.state().agents as AgentState[];
    expect(agents[1]).toMatchObject({ active: false, state: 'stopped' });
    // KILL of a task behind a stopped agent is answered with its unreachable state.
    await stream.call({ type: 'KILL', kill: { task_id: { value: 'lost-one' } } });
    expect((await stream.update('lost-one')).state).toBe('TASK_UNREACHABLE');
    expect((await rawRequest(`${mesos.url}/__local/agents/1/start`, {})).status).toBe(200);
    expect(await stream.update('lost-one')).toMatchObject({ state: 'TASK_GONE', reason: 'REASON_AGENT_RESTARTED' });
    const offer = await nextOffer(stream, mesos.agentIds[1], 5000, (o) => o.resources.some((r2) => r2.name === 'cpus' && r2.scalar!.value === 4));
    expect(offer.agent_id.value).toBe(mesos.agentIds[1]);
  });

  it('a partitioned agent keeps its processes; after restart the task reconciles as RUNNING', async () => {
    await launch(stream, (o) => [taskInfo('cut-off', o, 'sleep 100')], mesos.agentIds[0]);
    await untilState(stream, 'cut-off', 'TASK_RUNNING');
    const pid = await pidOf('cut-off');
    await rawRequest(`${mesos.url}/__local/agents/0/stop?mode=partition`, {});
    await stream.update('cut-off', 'TASK_UNREACHABLE');
    expect(alive(pid)).toBe(true);
    expect((mesos.state().agents as AgentState[])[0].state).toBe('partitioned');
    mesos.startAgent(0);
    await stream.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'cut-off' } }] } });
    expect((await stream.update('cut-off')).state).toBe('TASK_RUNNING');
  });

  it('a framework without PARTITION_AWARE sees TASK_LOST for a stopped agent', async () => {
    const plain = await client.subscribeOk(frameworkInfo({ name: 'plain', capabilities: [], roles: undefined, failover_timeout: 30 }));
    stream.close();
    await launch(plain, (o) => [taskInfo('plain-task', o, 'sleep 100')], mesos.agentIds[0]);
    await untilState(plain, 'plain-task', 'TASK_RUNNING');
    await mesos.stopAgent(0);
    expect(await plain.update('plain-task')).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_AGENT_REMOVED' });
  });

  it('adds an agent at run time and offers it', async () => {
    const r = await rawRequest(`${mesos.url}/__local/agents`, { body: JSON.stringify({ cpus: 1, mem: 512, attributes: { zone: 'z9' } }) });
    expect(r.status).toBe(201);
    const { id } = JSON.parse(r.body) as { id: string };
    const offer = await nextOffer(stream, id);
    expect(offer.attributes).toEqual([{ name: 'zone', type: 'TEXT', text: { value: 'z9' } }]);
  });
});
