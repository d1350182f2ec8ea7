// Offers, filters, SUPPRESS/REVIVE, RESCIND and ACCEPT validation (reference §6), both encodings.
import type { LocalMesos } from '../index';
import { eventually, frameworkInfo, SchedulerClient, type EventStream } from '../testing/client';
import { acceptCall, ENCODINGS, launch, nextOffer, portsOf, scalarOf, startFast, taskInfo, untilState } from './harness';

describe.each(ENCODINGS)('offers (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;
  let stream: EventStream;

  beforeEach(async () => {
    mesos = await startFast({ agentSpecs: [{ attributes: { rack: 'r1', level: 2 } }, {}] });
    client = new SchedulerClient(mesos.url, encoding);
    stream = await client.subscribeOk(frameworkInfo());
  });
  afterEach(async () => {
    client.close();
    await mesos.stop();
  });

  it('offers all free resources of each agent with hostname, attributes, url and allocation_info', async () => {
    const ev = await stream.takeType('OFFERS');
    const offers = ev.offers!.offers;
    expect(offers.map((o) => o.agent_id.value).sort()).toEqual([...mesos.agentIds].sort());
    const a0 = offers.find((o) => o.agent_id.value === mesos.agentIds[0])!;
    expect(a0.id.value).toMatch(new RegExp(`^${mesos.masterId}-O\\d+$`));
    expect(a0.framework_id.value).toBe(stream.frameworkId);
    expect(a0.hostname).toBe('127.0.0.1');
    expect(scalarOf(a0, 'cpus')).toBe(4);
    expect(scalarOf(a0, 'mem')).toBe(4096);
    expect(scalarOf(a0, 'disk')).toBe(10240);
    expect(portsOf(a0)).toEqual([31000, 31999]);
    expect(a0.resources.every((r) => r.role === '*' && r.allocation_info?.role === '*')).toBe(true);
    expect(a0.allocation_info).toEqual({ role: '*' });
    expect(a0.attributes).toEqual(
      expect.arrayContaining([
        { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
        { name: 'level', type: 'SCALAR', scalar: { value: 2 } },
      ]),
    );
    expect(a0.url).toMatchObject({ scheme: 'http', address: { hostname: '127.0.0.1', port: 5051 }, path: '/slave(1)' });
    const a1 = offers.find((o) => o.agent_id.value === mesos.agentIds[1])!;
    expect(portsOf(a1)).toEqual([32000, 32999]);
  });

  it('does not re-offer outstanding offers; DECLINE filters for refuse_seconds; REVIVE clears filters', async () => {
    const ev = await stream.takeType('OFFERS');
    const ids = ev.offers!.offers.map((o) => o.id.value);
    // Outstanding offers keep their resources: nothing new arrives for a few allocation cycles.
    await new Promise((r) => setTimeout(r, 200));
    expect(stream.events.filter((e) => e.type === 'OFFERS')).toHaveLength(1);
    expect((await stream.call({ type: 'DECLINE', decline: { offer_ids: ids.map((value) => ({ value })), filters: { refuse_seconds: 60 } } })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 200));
    expect(stream.events.filter((e) => e.type === 'OFFERS')).toHaveLength(1);
    expect((await stream.call({ type: 'REVIVE' })).status).toBe(202);
    await stream.takeType('OFFERS');
  });

  it('a short refuse_seconds filter expires by itself', async () => {
    const offer = await nextOffer(stream, mesos.agentIds[0]);
    const t0 = Date.now();
    await stream.call({ type: 'DECLINE', decline: { offer_ids: [offer.id], filters: { refuse_seconds: 0.4 } } });
    await nextOffer(stream, mesos.agentIds[0]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
  });

  it('filters only suppress subsets of the refused resources (freed resources are offered again)', async () => {
    // Launch a short task and decline the leftovers for a long time.
    const offer = await launch(stream, (o) => [taskInfo('short', o, 'sleep 0.3', { cpus: 1 })], mesos.agentIds[0], 60);
    await untilState(stream, 'short', 'TASK_FINISHED');
    // Once the task has ended, the agent's free resources exceed what was refused: offered again.
    const again = await nextOffer(stream, offer.agent_id.value);
    expect(scalarOf(again, 'cpus')).toBe(4);
  });

  it('SUPPRESS stops offers until REVIVE', async () => {
    const ev = await stream.takeType('OFFERS');
    await stream.call({ type: 'SUPPRESS', suppress: { roles: ['*'] } });
    await stream.call({ type: 'DECLINE', decline: { offer_ids: ev.offers!.offers.map((o) => o.id), filters: { refuse_seconds: 0 } } });
    await new Promise((r) => setTimeout(r, 250));
    expect(stream.events.filter((e) => e.type === 'OFFERS')).toHaveLength(1);
    await stream.call({ type: 'REVIVE', revive: { roles: ['*'] } });
    await stream.takeType('OFFERS');
  });

  it('RESCINDs offers and sends FAILURE when an agent goes away', async () => {
    const offer = await nextOffer(stream, mesos.agentIds[1]);
    await mesos.stopAgent(1);
    const rescind = await stream.takeType('RESCIND');
    expect(rescind.rescind!.offer_id.value).toBe(offer.id.value);
    const failure = await stream.takeType('FAILURE');
    expect(failure.failure!.agent_id!.value).toBe(mesos.agentIds[1]);
  });

  it('invalid offers drop every task of the call (TASK_DROPPED, REASON_INVALID_OFFERS, no uuid)', async () => {
    const ev = await stream.takeType('OFFERS');
    const [o1, o2] = ev.offers!.offers;
    const cases: [string, string[]][] = [
      ['unknown', ['no-such-offer']],
      ['two-agents', [o1.id.value, o2.id.value]],
    ];
    for (const [name, ids] of cases) {
      await stream.call(acceptCall(ids, [taskInfo(`${name}-a`, o1, 'true'), taskInfo(`${name}-b`, o1, 'true')]));
      for (const id of [`${name}-a`, `${name}-b`]) {
        const status = await stream.update(id);
        expect(status).toMatchObject({ state: 'TASK_DROPPED', reason: 'REASON_INVALID_OFFERS', source: 'SOURCE_MASTER' });
        expect(status.uuid).toBeUndefined();
      }
    }
    // The still-valid offers of a failed call are gone too: reusing one is invalid.
    await stream.call(acceptCall([o1.id.value], [taskInfo('reuse', o1, 'true')]));
    expect((await stream.update('reuse')).state).toBe('TASK_DROPPED');
  });

  it('a duplicate offer id invalidates the call', async () => {
    const offer = await nextOffer(stream);
    await stream.call(acceptCall([offer.id.value, offer.id.value], [taskInfo('dup-offer', offer, 'true')]));
    expect(await stream.update('dup-offer')).toMatchObject({ state: 'TASK_DROPPED', reason: 'REASON_INVALID_OFFERS' });
  });

  it('a task asking for more than remains gets TASK_ERROR (TASK_INVALID) while the others launch', async () => {
    const offer = await nextOffer(stream);
    await stream.call(
      acceptCall([offer.id.value], [
        taskInfo('fits', offer, 'sleep 30', { cpus: 3 }),
        taskInfo('too-big', offer, 'sleep 30', { cpus: 2 }),
        taskInfo('fits', offer, 'sleep 30', { cpus: 0.1 }),
        taskInfo('bad-agent', offer, 'sleep 30', { agentId: 'other' }),
        taskInfo('bad-port', offer, 'sleep 30', { ports: [[1, 1]] }),
      ]),
    );
    const big = await stream.update('too-big');
    expect(big).toMatchObject({ state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', source: 'SOURCE_MASTER' });
    expect(big.message).toMatch(/more than available/);
    expect(big.uuid).toBeUndefined();
    expect((await stream.update('bad-agent')).state).toBe('TASK_ERROR');
    expect((await stream.update('bad-port')).state).toBe('TASK_ERROR');
    const starting = await stream.update('fits', 'TASK_STARTING');
    expect(starting.uuid).toBeDefined();
    // The second 'fits' (a duplicate id) is refused.
    expect(await stream.update('fits', 'TASK_ERROR')).toMatchObject({ reason: 'REASON_TASK_INVALID' });
    await eventually(() => (mesos.state().agents as { id: string; used_resources: { cpus: number } }[]).find((a) => a.id === offer.agent_id.value)!.used_resources.cpus === 3, 5000, 'cpus accounted');
  });

  it('a framework without PARTITION_AWARE gets TASK_LOST instead of TASK_DROPPED', async () => {
    stream.close();
    const plain = await client.subscribeOk(frameworkInfo({ capabilities: [], roles: undefined }));
    const offer = await nextOffer(plain);
    expect(offer.allocation_info).toBeUndefined();
    await plain.call(acceptCall(['missing'], [taskInfo('lost', offer, 'true')]));
    expect(await plain.update('lost')).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_INVALID_OFFERS' });
  });
});
