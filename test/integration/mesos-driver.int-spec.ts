// The Mesos driver against local-mesos, in both encodings: subscription, offers, launch, updates and
// acknowledgements, kill, reconciliation, and surviving a lost stream or a restarted master.
import type { LocalMesos } from '../../local-mesos';
import { MemoryFrameworkIdStore } from '../../src/mesos/framework-store';
import { autoAcknowledge, ENCODINGS, eventually, frameworksOf, sleepTask, startDriver, startMesos, tasksOf, type TestDriver } from './mesos-helpers';

jest.setTimeout(20_000);

describe.each(ENCODINGS)('Mesos driver lifecycle (%s)', (encoding) => {
  let mesos: LocalMesos;
  let d: TestDriver | undefined;

  beforeEach(async () => {
    mesos = await startMesos();
  });
  afterEach(async () => {
    await d?.driver.stop();
    d = undefined;
    await mesos.stop();
  });

  it('subscribes, launches, acknowledges, reconciles and kills', async () => {
    d = startDriver(mesos.url, encoding);
    const subscribed = await d.events.waitFor('subscribed');
    expect(subscribed.frameworkId).toBe(`${mesos.masterId}-0000`);
    expect(subscribed.master).toBe(mesos.url);
    expect(await d.store.load()).toBe(subscribed.frameworkId);
    expect(d.driver.frameworkId).toBe(subscribed.frameworkId);

    const offer = await d.events.offer();
    expect(offer.agent_id.value).toBe(mesos.agentIds[0]);
    expect(offer.resources?.find((r) => r.name === 'cpus')?.scalar?.value).toBeGreaterThan(0);
    await d.driver.launch([offer.id.value], [sleepTask('t1', offer)], 1);

    // STARTING must be acknowledged before RUNNING is sent (one unacknowledged update per task).
    const starting = await d.events.update('t1', 'TASK_STARTING');
    expect(starting.uuid).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(await d.driver.acknowledge(starting)).toBe(true);
    const running = await d.events.update('t1', 'TASK_RUNNING');
    await d.driver.acknowledge(running);
    await eventually(() => tasksOf(mesos).find((t) => t.id === 't1' && t.state === 'TASK_RUNNING'), 5000, 'task running at the master');

    // Explicit reconciliation: a master-made update, no uuid, never acknowledged.
    await d.driver.reconcile([{ taskId: 't1', agentId: offer.agent_id.value }]);
    const answer = await d.events.update('t1', 'TASK_RUNNING', 5000, (s) => s.reason === 'REASON_RECONCILIATION');
    expect(answer.uuid).toBeUndefined();
    expect(answer.source).toBe('SOURCE_MASTER');
    expect(await d.driver.acknowledge(answer)).toBe(false);
    // Implicit reconciliation: the master answers for every task it knows.
    const before = d.events.count('update');
    await d.driver.reconcile([]);
    await eventually(() => d!.events.of('update').slice(before).find((e) => e.status.task_id.value === 't1'), 5000, 'implicit answer');

    await d.driver.kill('t1', offer.agent_id.value, 0.2);
    // TASK_KILLING_STATE capability: KILLING first, acknowledged before KILLED comes.
    await d.driver.acknowledge(await d.events.update('t1', 'TASK_KILLING'));
    const killed = await d.events.update('t1', 'TASK_KILLED');
    expect(await d.driver.acknowledge(killed)).toBe(true);
    await eventually(() => !tasksOf(mesos).some((t) => t.id === 't1'), 5000, 'master forgets the acknowledged terminal task');
  });

  it('declines with a filter, suppresses and revives', async () => {
    d = startDriver(mesos.url, encoding);
    await d.events.waitFor('subscribed');
    const offer = await d.events.offer();
    await d.driver.suppress();
    await d.driver.decline([offer.id.value], 3600);
    await eventually(() => frameworksOf(mesos)[0]?.suppressed_roles.includes('*') && frameworksOf(mesos)[0].offers.length === 0, 5000, 'suppressed, no offers held');
    const seen = d.events.count('offers');
    await d.driver.revive();
    await eventually(() => d!.events.count('offers') > seen, 5000, 'offers after REVIVE (filters cleared)');
  });

  it('resubscribes with the same framework id after the stream breaks, and the task survives', async () => {
    d = startDriver(mesos.url, encoding);
    autoAcknowledge(d);
    const { frameworkId } = await d.events.waitFor('subscribed');
    const offer = await d.events.offer();
    await d.driver.launch([offer.id.value], [sleepTask('survivor', offer)]);
    await d.events.update('survivor', 'TASK_RUNNING');
    const pid = await eventually(() => tasksOf(mesos).find((t) => t.id === 'survivor')?.pid, 5000, 'pid');

    // The master goes away mid-stream and comes back still recovering (503) for a while.
    mesos.setMode({ kind: 'recovering' });
    mesos.master.frameworks.get(frameworkId)!.sub!.close();
    const lost = await d.events.waitFor('disconnected');
    expect(lost.reason).toBeTruthy();
    await expect(d.driver.revive()).rejects.toMatchObject({ code: 'NOT_SUBSCRIBED' });
    mesos.setMode({ kind: 'leader' });

    const again = await d.events.waitFor('subscribed', d.events.events.indexOf(lost));
    expect(again.frameworkId).toBe(frameworkId);
    expect(frameworksOf(mesos)).toHaveLength(1);
    await d.driver.reconcile([{ taskId: 'survivor' }]);
    await d.events.update('survivor', 'TASK_RUNNING', 5000, (s) => s.reason === 'REASON_RECONCILIATION');
    expect(() => process.kill(pid!, 0)).not.toThrow();
  });

  it('detects a master that stops sending heartbeats and resubscribes', async () => {
    d = startDriver(mesos.url, encoding);
    const { frameworkId } = await d.events.waitFor('subscribed');
    const fw = mesos.master.frameworks.get(frameworkId)!;
    clearInterval(fw.heartbeat!);
    const started = Date.now();
    const lost = await d.events.waitFor('disconnected', 0, 5000);
    // 5 missed intervals of 0.2 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(lost.reason).toMatch(/no event/);
    const again = await d.events.waitFor('subscribed', d.events.events.indexOf(lost));
    expect(again.frameworkId).toBe(frameworkId);
  });
});

describe.each(ENCODINGS)('Mesos driver and a restarted master process (%s)', (encoding) => {
  let mesos: LocalMesos | undefined;
  let d: TestDriver | undefined;
  afterEach(async () => {
    await d?.driver.stop();
    d = undefined;
    await mesos?.stop();
  });

  it('resubscribes to the new master on the same address with the same framework id, and the task survives', async () => {
    mesos = await startMesos({ masterId: 'restart-master' });
    d = startDriver(mesos.url, encoding);
    autoAcknowledge(d);
    const { frameworkId } = await d.events.waitFor('subscribed');
    const offer = await d.events.offer();
    await d.driver.launch([offer.id.value], [sleepTask('restart-survivor', offer)]);
    await d.events.update('restart-survivor', 'TASK_RUNNING');
    const pid = await eventually(() => tasksOf(mesos!).find((t) => t.id === 'restart-survivor')?.pid, 5000, 'pid');

    // The master process dies mid-stream (streams and connections cut, in-memory state lost) and a
    // new master with a new id comes up on the same address after 300 ms of 503s; the agent keeps
    // the task running and re-registers with it.
    const restarted = mesos.restartMaster({ downForMs: 300 });
    const lost = await d.events.waitFor('disconnected');
    await restarted;
    expect(mesos.masterId).not.toBe('restart-master');

    const again = await d.events.waitFor('subscribed', d.events.events.indexOf(lost));
    expect(again.frameworkId).toBe(frameworkId);
    expect(await d.store.load()).toBe(frameworkId);
    await eventually(() => frameworksOf(mesos!).length === 1 && frameworksOf(mesos!)[0].id === frameworkId && frameworksOf(mesos!)[0].connected, 5000, 'framework connected to the new master');
    expect(() => process.kill(pid, 0)).not.toThrow();
    const before = d.events.count('update');
    await d.driver.reconcile([{ taskId: 'restart-survivor' }]);
    const answer = await eventually(
      () => d!.events.of('update').slice(before).map((e) => e.status).find((s) => s.task_id.value === 'restart-survivor' && s.reason === 'REASON_RECONCILIATION'),
      5000,
      'reconciliation answer from the new master',
    );
    expect(answer.state).toBe('TASK_RUNNING');
    expect(tasksOf(mesos).find((t) => t.id === 'restart-survivor')).toMatchObject({ state: 'TASK_RUNNING', pid });
  });
});

describe('Mesos driver refusals', () => {
  let mesos: LocalMesos;
  beforeAll(async () => {
    mesos = await startMesos();
  });
  afterAll(async () => {
    await mesos.stop();
  });

  it.each(ENCODINGS)('stops loudly on "Framework has been removed" (%s)', async (encoding) => {
    const dead = `${mesos.masterId}-0099-${encoding}`;
    mesos.master.removedFrameworks.add(dead);
    const d = startDriver(mesos.url, encoding, { store: new MemoryFrameworkIdStore(dead) });
    try {
      const error = await d.events.waitFor('error');
      expect(error.fatal).toBe(true);
      expect(error.message).toMatch(/Framework has been removed/);
      expect(d.driver.fatalError).toMatch(/Framework has been removed/);
      expect(d.events.count('subscribed')).toBe(0);
    } finally {
      await d.driver.stop();
    }
  });

  it('refuses to register a new framework when instances exist but no framework id is stored', async () => {
    const before = frameworksOf(mesos).length;
    const d = startDriver(mesos.url, 'protobuf', { hasInstances: async () => true });
    try {
      const error = await d.events.waitFor('error');
      expect(error.fatal).toBe(true);
      expect(error.message).toMatch(/instances are on record but no framework id is stored/);
      expect(frameworksOf(mesos)).toHaveLength(before);
    } finally {
      await d.driver.stop();
    }
  });
});
