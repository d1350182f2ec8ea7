// Finding the leading master: 307 from a non-leader, 503 while recovering, a comma list with a dead
// entry, ZooKeeper detection following a leader change, and a 403 answered by one resubscription.
import { randomBytes } from 'node:crypto';
import type { LocalMesos } from '../../local-mesos';
import { Registry } from 'prom-client';
import { MesosMetrics } from '../../src/mesos/metrics';
import { ZkMasterDetector } from '../../src/mesos/zk-detector';
import { ENCODINGS, eventually, frameworksOf, startDriver, startMesos, type TestDriver } from './mesos-helpers';

jest.setTimeout(20_000);

const ZK = process.env.TEST_ZK_HOSTS ?? '127.0.0.1:2181';

describe.each(ENCODINGS)('master detection (%s)', (encoding) => {
  const masters: LocalMesos[] = [];
  let d: TestDriver | undefined;
  afterEach(async () => {
    await d?.driver.stop();
    d = undefined;
    await Promise.all(masters.splice(0).map((m) => m.stop()));
  });
  async function master(o: Parameters<typeof startMesos>[0] = {}): Promise<LocalMesos> {
    const m = await startMesos(o);
    masters.push(m);
    return m;
  }

  it("follows a non-leader's 307 to the leader (protocol-relative Location)", async () => {
    const leader = await master();
    const follower = await master({ mode: { kind: 'redirect', leader: `127.0.0.1:${leader.port}` } });
    d = startDriver(follower.url, encoding);
    const sub = await d.events.waitFor('subscribed');
    expect(sub.master).toBe(leader.url);
    expect(d.driver.master).toBe(leader.url);
    expect(frameworksOf(leader)).toHaveLength(1);
    expect(frameworksOf(follower)).toHaveLength(0);
    await d.driver.revive(); // calls go to the leader, with the stream id
  });

  it('retries a 503 (master still recovering) until the master leads', async () => {
    const m = await master({ mode: { kind: 'recovering' } });
    const metrics = new MesosMetrics(new Registry());
    d = startDriver(m.url, encoding, { metrics });
    // Let it be refused a few times (each refusal is a reconnect after backoff), then lead.
    await eventually(async () => ((await metrics.reconnects.get()).values[0]?.value ?? 0) >= 3, 5000, 'three refused attempts');
    expect(d.events.count('subscribed')).toBe(0);
    m.setMode({ kind: 'leader' });
    await d.events.waitFor('subscribed');
  });

  it('tries the next master of a comma list when one is down', async () => {
    const m = await master();
    d = startDriver(`http://127.0.0.1:1,${m.url}`, encoding);
    const sub = await d.events.waitFor('subscribed');
    expect(sub.master).toBe(m.url);
  });

  it('answers a 403 (master no longer counts us subscribed) with one resubscription', async () => {
    const m = await master();
    const metrics = new MesosMetrics(new Registry());
    d = startDriver(m.url, encoding, { metrics });
    const { frameworkId } = await d.events.waitFor('subscribed');
    // The master forgets the stream without closing it: calls now get 403 "Framework is not subscribed".
    m.master.frameworks.get(frameworkId)!.sub = null;
    await expect(d.driver.revive()).rejects.toMatchObject({ code: 'NOT_SUBSCRIBED', status: 403 });
    const again = await d.events.waitFor('subscribed', 1);
    expect(again.frameworkId).toBe(frameworkId);
    expect(d.events.count('subscribed')).toBe(2);
    await d.driver.revive();
    const calls = (await metrics.calls.get()).values.map((v) => `${v.labels.type}/${v.labels.outcome}=${v.value}`);
    expect(calls).toEqual(expect.arrayContaining(['REVIVE/forbidden=1', 'REVIVE/accepted=1']));
  });

  it('finds the leader through ZooKeeper and follows a change of leader', async () => {
    const zk = `zk://${ZK}/pacer-test-mesos-${encoding}-${randomBytes(4).toString('hex')}`;
    const first = await master({ zk, masterId: `zk-first-${encoding}` });
    const second = await master({ zk, masterId: `zk-second-${encoding}` });
    expect(first.zkNode! < second.zkNode!).toBe(true);
    d = startDriver(new ZkMasterDetector(zk), encoding);
    const sub = await d.events.waitFor('subscribed', 0, 10_000);
    expect(sub.master).toBe(first.url);
    // The leader goes away (its ephemeral node with it): the driver moves to the next one and keeps its id.
    await first.stop();
    const moved = await d.events.waitFor('subscribed', d.events.events.indexOf(sub) + 1, 10_000);
    expect(moved.master).toBe(second.url);
    expect(moved.frameworkId).toBe(sub.frameworkId);
    expect(frameworksOf(second).map((f) => f.id)).toEqual([sub.frameworkId]);
  });
});
