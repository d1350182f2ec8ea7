// Status update hold-back: while a subscriber does not read its stream, status update heads wait in
// the master as task references instead of piling up as encoded bytes, so the stream is not closed
// for exceeding its buffer bound; once the subscriber reads again every head arrives exactly once.
// Both encodings, simulated agents (thousands of tasks in a second).
import type { LocalMesos } from '../index';
import { eventually, frameworkInfo, rawRequest, SchedulerClient, type EventStream, type OfferT } from '../testing/client';
import { acceptCall, ENCODINGS, startFast, taskInfo } from './harness';

jest.setTimeout(30_000);

const BATCH = 4000;
const MAX_TASKS = 80_000;
const MAX_STREAM_BUFFER = 1024 * 1024;

describe.each(ENCODINGS)('status update hold-back on a backed-up stream (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;
  let stream: EventStream;

  beforeEach(async () => {
    mesos = await startFast({
      agents: 1,
      simulate: true,
      agentDefaults: { cpus: MAX_TASKS, mem: MAX_TASKS * 2 },
      // No resends during the test: every update seen is a first delivery.
      statusUpdateResendSeconds: 600,
      maxStreamBufferBytes: MAX_STREAM_BUFFER,
    });
    client = new SchedulerClient(mesos.url, encoding);
    stream = await client.subscribeOk(frameworkInfo({ failover_timeout: 30 }));
  });
  afterEach(async () => {
    client.close();
    await mesos.stop();
  });

  const metrics = async (): Promise<{ held_status_updates: number; pending_status_updates: number }> =>
    JSON.parse((await rawRequest(`${mesos.url}/__local/metrics`, { method: 'GET' })).body) as { held_status_updates: number; pending_status_updates: number };
  const connected = (): boolean => (mesos.state().frameworks as { connected: boolean }[])[0]?.connected === true;
  const offerId = (): string | undefined => (mesos.state().frameworks as { offers: { id: string }[] }[])[0]?.offers[0]?.id;
  // Long ids make every update a few hundred bytes, so a batch is over the stream's buffer bound.
  const taskId = (n: number): string => `held-${String(n).padStart(6, '0')}-${'x'.repeat(200)}`;

  let launched = 0;
  async function launchBatch(): Promise<void> {
    // The stream is not being read: take the offer from the master's state instead.
    const id = await eventually(offerId, 5000, 'an outstanding offer');
    const offer: OfferT = { id: { value: id }, framework_id: { value: stream.frameworkId! }, agent_id: { value: mesos.agentIds[0] }, hostname: '', resources: [] };
    const tasks = Array.from({ length: BATCH }, (_, i) => taskInfo(taskId(launched + i), offer, 'sleep 100', { cpus: 1, mem: 1 }));
    const r = await stream.call(acceptCall([id], tasks, 0));
    expect(r.status).toBe(202);
    launched += BATCH;
    await eventually(async () => (await metrics()).pending_status_updates === launched, 5000, 'updates of the batch queued');
  }

  it('holds heads while the subscriber does not read, without closing the stream, then delivers each once', async () => {
    launched = 0;
    stream.res.pause();
    // Kernel socket buffers absorb a first part; launch until the master has to hold heads back.
    while ((await metrics()).held_status_updates === 0) {
      if (launched >= MAX_TASKS) throw new Error(`no hold-back after ${launched} updates`);
      await launchBatch();
    }
    // One more batch: more encoded bytes than the stream's buffer bound, yet the stream stays open.
    await launchBatch();
    const held = (await metrics()).held_status_updates;
    expect(held).toBeGreaterThan(BATCH / 2);
    expect(connected()).toBe(true);
    expect(stream.closed).toBe(false);

    stream.res.resume();
    const startingOf = (): number => stream.events.filter((e) => e.update?.status.state === 'TASK_STARTING').length;
    await eventually(() => startingOf() >= launched, 20_000, `${launched} TASK_STARTING updates`);
    await eventually(async () => (await metrics()).held_status_updates === 0, 5000, 'nothing held');
    const ids = stream.events.filter((e) => e.type === 'UPDATE').map((e) => e.update!.status.task_id.value);
    expect(ids).toHaveLength(launched);
    expect(new Set(ids).size).toBe(launched);
    // Heads go out in the order they became due: launch order.
    expect(ids).toEqual(Array.from({ length: launched }, (_, i) => taskId(i)));
    expect(connected()).toBe(true);
  });
});
