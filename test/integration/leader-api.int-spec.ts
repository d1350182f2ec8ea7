// Leadership over HTTP (issue 8 §2): X-Marathon-Leader on every answer, GET/DELETE /v2/leader,
// /v2/info, and the scheduler-backed 503 naming the leader; standalone and ZooKeeper mode (two
// replicas, one of them listening, so a standby's DELETE /v2/leader is proxied to it).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Leadership } from '../../src/leader/leadership';
import { zookeeper } from '../../src/leader/zk-election';
import { startTestApp, type TestApp } from './harness';

jest.setTimeout(30_000);

const ZK_HOSTS = process.env.TEST_ZK_HOSTS ?? '127.0.0.1:2181';

async function until<T>(fn: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('leadership API, standalone', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('names itself everywhere', async () => {
    const res = await t.request('GET', '/v2/leader');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ leader: 'pacer.test:8080' });
    expect(res.headers['x-marathon-leader']).toBe('http://pacer.test:8080');
    const info = await t.request('GET', '/v2/info');
    expect(info.body).toMatchObject({ elected: true, leader: 'pacer.test:8080' });
    expect((await t.request('GET', '/ping')).headers['x-marathon-leader']).toBe('http://pacer.test:8080');
  });

  it('DELETE /v2/leader answers, then re-elects this replica with a new term', async () => {
    const l = t.app.get(Leadership);
    const before = l.term() as number;
    expect(before).toBeGreaterThan(0);
    const res = await t.request('DELETE', '/v2/leader');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Leadership abdicated' });
    await until(() => l.isLeader() && (l.term() as number) > before, 5000, 'a new term');
  });

  it('a scheduler-backed call says this leader has no scheduler running', async () => {
    const res = await t.request('GET', '/v2/queue');
    expect(res.status).toBe(503);
    expect(res.body.message).toMatch(/is the leader but its scheduler is not running/);
  });
});

describe('leadership API, ZooKeeper election with two replicas', () => {
  const root = `/pacer-test-leader-api-${randomBytes(4).toString('hex')}`;
  let leader: TestApp;
  let standby: TestApp;
  let leaderAddress: string;
  let standbyAddress: string;

  beforeAll(async () => {
    const [lp, sp] = [await freePort(), await freePort()];
    leaderAddress = `127.0.0.1:${lp}`;
    standbyAddress = `127.0.0.1:${sp}`;
    const env = { LEADER_ELECTION: 'zookeeper', ZK_URL: `zk://${ZK_HOSTS}${root}` };
    leader = await startTestApp({ ...env, PACER_ADVERTISED_ADDRESS: leaderAddress, HTTP_PORT: String(lp) });
    await until(() => leader.app.get(Leadership).isLeader(), 10_000, 'the first replica to lead');
    await leader.app.listen(lp, '127.0.0.1');
    standby = await startTestApp({ ...env, PACER_ADVERTISED_ADDRESS: standbyAddress, HTTP_PORT: String(sp) });
  });

  afterAll(async () => {
    await standby?.close();
    await leader?.close();
    await removeTree(root);
  });

  it('the standby names the leader: header, /v2/leader, /v2/info, and the 503 of scheduler-backed calls', async () => {
    await until(() => standby.app.get(Leadership).leaderAddress() === leaderAddress, 5000, 'the standby to know the leader');
    const res = await standby.request('GET', '/v2/leader');
    expect(res.body).toEqual({ leader: leaderAddress });
    expect(res.headers['x-marathon-leader']).toBe(`http://${leaderAddress}`);
    expect((await standby.request('GET', '/v2/info')).body).toMatchObject({ elected: false, leader: leaderAddress });
    expect((await leader.request('GET', '/v2/info')).body).toMatchObject({ elected: true, leader: leaderAddress });
    const queue = await standby.request('GET', '/v2/queue');
    expect(queue.status).toBe(503);
    expect(queue.body).toEqual({ message: expect.stringContaining(`the leader ${leaderAddress}`), leader: leaderAddress });
  });

  it('a proxying loop is refused with 502', async () => {
    const res = await standby.request('DELETE', '/v2/leader', undefined, { 'x-marathon-via': `1.1 ${standbyAddress}` });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ message: 'Detected proxying loop.' });
  });

  it("DELETE /v2/leader on the standby is proxied to the leader, which abdicates: the standby takes over", async () => {
    const oldTerm = leader.app.get(Leadership).term() as number;
    const res = await standby.request('DELETE', '/v2/leader');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Leadership abdicated' });
    expect(res.headers['x-marathon-via']).toBe(`1.1 ${standbyAddress}`);
    const s = standby.app.get(Leadership);
    await until(() => s.isLeader(), 10_000, 'the standby to lead');
    expect(s.term()).toBeGreaterThan(oldTerm);
    expect(leader.app.get(Leadership).isLeader()).toBe(false);
    await until(() => leader.app.get(Leadership).leaderAddress() === standbyAddress, 5000, 'the old leader to follow');
    expect((await leader.request('GET', '/v2/leader')).body).toEqual({ leader: standbyAddress });
  });

  it('with no leader known: GET and DELETE /v2/leader answer 404 There is no leader', async () => {
    await standby.app.get(Leadership).stop();
    await leader.app.get(Leadership).stop();
    const get = await leader.request('GET', '/v2/leader');
    expect(get.status).toBe(404);
    expect(get.body).toEqual({ message: 'There is no leader' });
    expect(get.headers['x-marathon-leader']).toBeUndefined();
    const del = await leader.request('DELETE', '/v2/leader');
    expect(del.status).toBe(404);
    expect(del.body).toEqual({ message: 'There is no leader' });
    const queue = await leader.request('GET', '/v2/queue');
    expect(queue.status).toBe(503);
    expect(queue.body.message).toMatch(/There is no leader/);
  });
});

async function removeTree(path: string): Promise<void> {
  const client = zookeeper.createClient(ZK_HOSTS, { sessionTimeout: 4000, spinDelay: 200, retries: 0 });
  const connected = new Promise<void>((resolve) => client.on('state', (s) => s.name === 'SYNC_CONNECTED' && resolve()));
  client.connect();
  await connected;
  await new Promise<void>((resolve) => (client as unknown as { removeRecursive(p: string, cb: () => void): void }).removeRecursive(path, () => resolve()));
  client.close();
}
