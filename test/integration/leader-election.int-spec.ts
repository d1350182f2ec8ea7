// Leader election on the real ZooKeeper and fencing on the real Postgres (issue 8 §1): three
// candidates in one process, each with its own session. Exactly one leads; a crashed or partitioned
// leader is replaced within a bounded time; only the successor wakes; terms strictly increase;
// abdication hands over; a write with a stale term is refused.
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { assertTerm, FencedError, inFencedTransaction } from '../../src/leader/fencing';
import { PgTermStore } from '../../src/leader/term-store';
import { zookeeper, type ZkClient } from '../../src/leader/zk-election';
import { ZkLeadership } from '../../src/leader/zk-leadership';
import { createDataSource } from '../../src/persistence/data-source';
import { createScratchDatabase, type ScratchDatabase } from './scratch-db';

jest.setTimeout(60_000);

const ZK_HOSTS = process.env.TEST_ZK_HOSTS ?? '127.0.0.1:2181';
/** The smallest session ZooKeeper grants with its default tickTime (2 × 2000 ms): fast failovers. */
const SESSION_MS = 4000;

/** Polls `fn` every 20 ms until it returns something other than undefined/false, or fails at the deadline. */
async function until<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Replica {
  readonly name: string;
  readonly l: ZkLeadership;
  /** every change, with the term and the time it was delivered */
  readonly changes: Array<{ leading: boolean; term: number | undefined; at: number; isLeaderThen: boolean }>;
}

describe('leader election on ZooKeeper, fenced in Postgres', () => {
  let db: ScratchDatabase;
  let ds: DataSource;
  let terms: PgTermStore;
  let root: string;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    db = await createScratchDatabase();
    ds = createDataSource(db.url, 4);
    await ds.initialize();
    terms = new PgTermStore(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
    Logger.overrideLogger(['log', 'error', 'warn']);
  });

  beforeEach(() => {
    root = `/pacer-test-leader-${randomBytes(4).toString('hex')}`;
  });

  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.l.stop()));
    await removeTree(root);
  });

  async function replica(name: string, options: { connectionLossBoundMs?: number; opTimeoutMs?: number } = {}): Promise<Replica> {
    const l = new ZkLeadership(
      { zkUrl: `zk://${ZK_HOSTS}${root}`, address: `${name}:8080`, sessionTimeoutMs: SESSION_MS, opTimeoutMs: 2000, ...options },
      terms,
    );
    const r: Replica = { name, l, changes: [] };
    l.onChange((leading) => {
      r.changes.push({ leading, term: l.term(), at: Date.now(), isLeaderThen: l.isLeader() });
    });
    replicas.push(r);
    await l.start();
    await l.ready();
    // Candidates join in the order they are made, so the order of succession is known.
    await until(() => l.zk.candidateNode(), 5000, `${name}'s candidate znode`);
    return r;
  }

  const leaders = (): Replica[] => replicas.filter((r) => r.l.isLeader());

  async function soleLeader(timeoutMs: number, not?: Replica): Promise<Replica> {
    return until(() => {
      const now = leaders();
      return now.length === 1 && now[0] !== not ? now[0] : undefined;
    }, timeoutMs, 'exactly one leader');
  }

  it('three candidates: exactly one leads, everyone knows its address, each watches only its predecessor', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const c = await replica('c');
    const leader = await soleLeader(5000);
    expect(leader).toBe(a);
    expect(a.l.term()).toBe(await terms.current());
    expect(a.changes).toEqual([expect.objectContaining({ leading: true, term: a.l.term(), isLeaderThen: true })]);
    await until(() => [a, b, c].every((r) => r.l.leaderAddress() === 'a:8080'), 5000, 'the leader address everywhere');
    expect(b.l.term()).toBeUndefined();
    expect(c.l.term()).toBeUndefined();
    // Still exactly one a little later (no flapping).
    await new Promise((r) => setTimeout(r, 300));
    expect(leaders()).toEqual([a]);
  });

  it('a crashed leader (its client closed) is replaced within a bounded time; only the successor wakes; terms increase', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const c = await replica('c');
    await soleLeader(5000);
    const firstTerm = a.l.term() as number;
    const bWakeups = b.l.stats().predecessorWakeups;
    const cWakeups = c.l.stats().predecessorWakeups;

    const killedAt = Date.now();
    crash(a);
    const next = await soleLeader(3000, a);
    const tookMs = Date.now() - killedAt;
    expect(next).toBe(b);
    expect(b.l.term()).toBeGreaterThan(firstTerm);
    // Closing a session removes its znode at once: the successor leads well within the session timeout.
    expect(tookMs).toBeLessThan(SESSION_MS);
    // The no-herd property: b's predecessor watch fired; c (watching b) was not woken by the election.
    expect(b.l.stats().predecessorWakeups).toBe(bWakeups + 1);
    expect(c.l.stats().predecessorWakeups).toBe(cWakeups);
    expect(c.l.leaderAddress()).toBe('b:8080');
    // The crashed replica cannot hear ZooKeeper any more: it gives leadership up within its bound.
    await until(() => !a.l.isLeader(), SESSION_MS, 'the crashed leader to give up');
    expect(a.changes.at(-1)).toMatchObject({ leading: false, term: undefined, isLeaderThen: false });

    // Next in line: c, with a higher term again; c is woken by its predecessor this time.
    const secondTerm = b.l.term() as number;
    crash(b);
    expect(await soleLeader(3000, b)).not.toBe(b);
    // a stood again with a new znode behind c, so c is next.
    expect(leaders()).toEqual([c]);
    expect(c.l.term()).toBeGreaterThan(secondTerm);
    expect(c.l.stats().predecessorWakeups).toBe(cWakeups + 1);
  });

  it('a partitioned leader gives up before ZooKeeper lets a successor in (lease), then rejoins with a new session', async () => {
    const a = await replica('a');
    const b = await replica('b');
    await soleLeader(5000);
    const aTerm = a.l.term() as number;

    const heal = partition(a);
    await until(() => b.l.isLeader(), SESSION_MS * 3, 'b to take over after a’s session expired');
    const aLost = a.changes.find((c) => !c.leading);
    const bWon = b.changes.find((c) => c.leading);
    expect(aLost).toBeDefined();
    // No overlap: the old leader stopped (its bound is half the session) before the new one started.
    expect(aLost!.at).toBeLessThanOrEqual(bWon!.at);
    expect(b.l.term()).toBeGreaterThan(aTerm);
    // a replaces its dead session and stands again, behind b.
    await until(() => a.l.stats().sessions >= 2 && a.l.zk.candidateNode(), SESSION_MS * 3, 'a to rejoin with a new session');
    await new Promise((r) => setTimeout(r, 200));
    expect(leaders()).toEqual([b]);
    heal(); // lets the old socket close
  });

  it('a session expired by ZooKeeper: leadership lost at once, rejoin as a new candidate with a new session', async () => {
    // No lease and no call timeout within the test: only ZooKeeper's EXPIRED can tell a.
    const a = await replica('a', { connectionLossBoundMs: 60_000, opTimeoutMs: 60_000 });
    const b = await replica('b');
    await soleLeader(5000);
    const oldNode = a.l.zk.candidateNode();
    // Silence a long enough for the server to expire its session, then let it hear about it.
    const heal = partition(a);
    await until(() => b.l.isLeader(), SESSION_MS * 3, 'b to lead once a’s session expired');
    heal();
    await until(() => !a.l.isLeader(), 5000, 'a to learn its session expired');
    await until(() => a.l.stats().sessions >= 2 && a.l.zk.candidateNode() && a.l.zk.candidateNode() !== oldNode, 5000, 'a to rejoin');
    expect(a.changes.map((c) => c.leading)).toEqual([true, false]);
    expect(leaders()).toEqual([b]);
  });

  it('abdication hands over to the successor, and the old leader stands again behind it', async () => {
    const a = await replica('a');
    const b = await replica('b');
    await soleLeader(5000);
    const aTerm = a.l.term() as number;
    const oldNode = a.l.zk.candidateNode();

    const pending = a.l.abdicate();
    // Lost synchronously, before abdicate() even returned.
    expect(a.l.isLeader()).toBe(false);
    expect(a.changes.at(-1)).toMatchObject({ leading: false });
    await pending;
    expect(await soleLeader(3000, a)).toBe(b);
    expect(b.l.term()).toBeGreaterThan(aTerm);
    expect(a.l.zk.candidateNode()).toBeDefined();
    expect(a.l.zk.candidateNode()).not.toBe(oldNode);
    await until(() => a.l.leaderAddress() === 'b:8080', 3000, 'a to follow b');
  });

  it('alone, abdication re-elects the same replica with a new term', async () => {
    const a = await replica('a');
    await soleLeader(5000);
    const first = a.l.term() as number;
    await a.l.abdicate();
    await until(() => a.l.isLeader(), 5000, 'a to lead again');
    expect(a.l.term()).toBeGreaterThan(first);
    expect(a.changes.map((c) => c.leading)).toEqual([true, false, true]);
  });

  it('fencing: a write with a stale term is refused; a new term waits for the old leader’s open transaction', async () => {
    const pool = (ds.driver as unknown as { master: Pool }).master;
    const old = await terms.next('old:8080', 5000);
    // The old leader opens a fenced transaction and pauses inside it.
    const paused = await pool.connect();
    await paused.query('BEGIN');
    await assertTerm(paused, old);
    await paused.query("CREATE TEMP TABLE IF NOT EXISTS fenced_probe (v text)");
    // A new leader takes its term: blocked until the old transaction ends.
    let newTerm: number | undefined;
    const taking = terms.next('new:8080', 10_000).then((t) => (newTerm = t));
    await new Promise((r) => setTimeout(r, 200));
    expect(newTerm).toBeUndefined();
    await paused.query('COMMIT');
    await taking;
    expect(newTerm).toBe(old + 1);
    // From now on the old term is refused, inside the transaction, before any write.
    await paused.query('BEGIN');
    await expect(assertTerm(paused, old)).rejects.toBeInstanceOf(FencedError);
    await paused.query('ROLLBACK');
    paused.release();
    await expect(inFencedTransaction(pool, old, async (c) => c.query('SELECT 1'))).rejects.toMatchObject({ name: 'FencedError', expected: old, current: newTerm });
    await expect(inFencedTransaction(pool, newTerm as number, async () => 'written')).resolves.toBe('written');
  });

  it('an elected replica’s writes pass with its term, and fail with it once another replica took over', async () => {
    const pool = (ds.driver as unknown as { master: Pool }).master;
    const a = await replica('a');
    const b = await replica('b');
    await soleLeader(5000);
    const aTerm = a.l.term() as number;
    await expect(inFencedTransaction(pool, aTerm, async () => 'ok')).resolves.toBe('ok');
    crash(a);
    await soleLeader(3000, a);
    // Even if a had not noticed yet, its term is stale now.
    await expect(inFencedTransaction(pool, aTerm, async () => 'late write')).rejects.toBeInstanceOf(FencedError);
    await expect(inFencedTransaction(pool, b.l.term() as number, async () => 'ok')).resolves.toBe('ok');
  });
});

/** A crash as ZooKeeper sees it: the session is closed (its znode goes at once). */
function crash(r: Replica): void {
  const client = r.l.zk.rawClient();
  if (!client) throw new Error(`${r.name} has no session`);
  client.close();
}

/**
 * A network partition of one replica: nothing in or out of its ZooKeeper socket (no pings, so the
 * server expires the session after its timeout). Returns the function that heals it.
 */
function partition(r: Replica): () => void {
  const cm = (r.l.zk.rawClient() as unknown as { connectionManager: { socket: { cork(): void; uncork(): void; pause(): void; resume(): void } } }).connectionManager;
  const socket = cm.socket;
  socket.pause();
  socket.cork();
  return () => {
    socket.uncork();
    socket.resume();
  };
}

async function removeTree(path: string): Promise<void> {
  const client: ZkClient = zookeeper.createClient(ZK_HOSTS, { sessionTimeout: SESSION_MS, spinDelay: 200, retries: 0 });
  const connected = new Promise<void>((resolve) => client.on('state', (s) => s.name === 'SYNC_CONNECTED' && resolve()));
  client.connect();
  await connected;
  await new Promise<void>((resolve) => (client as unknown as { removeRecursive(p: string, cb: () => void): void }).removeRecursive(path, () => resolve()));
  client.close();
}
