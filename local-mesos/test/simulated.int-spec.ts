// Simulated agents: no processes, same protocol and acknowledgement rules.
import type { LocalMesos } from '../index';
import { frameworkInfo, SchedulerClient } from '../testing/client';
import { acceptCall, nextOffer, startFast, taskInfo, untilState } from './harness';

describe.each([
  ['json', 0],
  ['protobuf', 1],
] as const)('simulated mode (%s, failure share %d)', (encoding, failureShare) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;
  beforeAll(async () => {
    mesos = await startFast({ simulate: true, simulateFailureShare: failureShare, agents: 5 });
    client = new SchedulerClient(mesos.url, encoding);
  });
  afterAll(async () => {
    client.close();
    await mesos.stop();
  });

  it('reports STARTING then RUNNING (or FAILED) with acknowledgements, and KILLED on kill', async () => {
    const stream = await client.subscribeOk(frameworkInfo());
    const offer = await nextOffer(stream);
    const ids = Array.from({ length: 20 }, (_, i) => `sim-${i}`);
    await stream.call(acceptCall([offer.id.value], ids.map((id) => taskInfo(id, offer, 'sleep 1000', { cpus: 0.01, mem: 1 }))));
    const starting = await stream.update(ids[0], 'TASK_STARTING');
    expect(starting.uuid).toBeDefined();
    // Nothing follows until STARTING is acknowledged.
    await new Promise((r) => setTimeout(r, 100));
    expect(stream.events.filter((e) => e.update?.status.task_id.value === ids[0] && e.update.status.state !== 'TASK_STARTING')).toHaveLength(0);
    await stream.ack(starting);
    const final = failureShare === 1 ? 'TASK_FAILED' : 'TASK_RUNNING';
    for (const id of ids) await untilState(stream, id, final);
    if (failureShare === 0) {
      await stream.call({ type: 'KILL', kill: { task_id: { value: ids[0] } } });
      await untilState(stream, ids[0], 'TASK_KILLED');
    }
  });
});
