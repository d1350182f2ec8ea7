import { randomUUID } from 'node:crypto';

/**
 * Leader election through ZooKeeper (issue 8 §1; reference §6.1), the classic recipe:
 *
 *   <root>/leader/c_<uuid>_0000000007   ephemeral sequential, data = this replica's host:port
 *
 * - Every candidate creates one ephemeral sequential znode; the lowest sequence number leads.
 * - A candidate watches only its predecessor (the next lower node), never the whole list, so a
 *   departure wakes exactly one candidate (no herd). Non-leaders also watch the lowest node, only
 *   to keep the leader's address current for X-Marathon-Leader and /v2/leader (one read each when
 *   the leader changes).
 * - Leadership is lost at once, synchronously in the event that reveals it, before any other code
 *   runs: session expiry, connection loss lasting longer than `connectionLossBoundMs` (measured from
 *   the last answer ZooKeeper gave us, kept under the session timeout so we stop before ZooKeeper
 *   can let anyone else in), a ZooKeeper call not answered in time, our znode vanishing, abdication,
 *   stop. After a session loss the candidate rejoins with a new session and a new znode.
 * - Every ZooKeeper call is bounded by `opTimeoutMs`; a call that does not answer is a doubt (see
 *   above) and the session is replaced, since the client library itself never notices a server
 *   that stopped answering.
 * - A znode created by a call whose answer was lost is found again by the uuid in its name
 *   (a "protected" create), so no ghost candidate of ours can block the election.
 *
 * This class only says "you are the lowest candidate" and "you lost"; the leadership term (fencing)
 * is taken by ZkLeadership, which asks `confirm()` (a linearizable check that our znode still
 * stands) after taking it.
 */

// ---- the pure parts ----

export interface ZkTarget {
  readonly hosts: string;
  /** the root path (ZK_URL's path); candidates live under `<root>/leader` */
  readonly root: string;
  /** `user:password` for the digest scheme, from `zk://user:password@hosts/path` */
  readonly auth?: string;
}

export function parseZkUrl(url: string): ZkTarget {
  const m = /^zk:\/\/(?:([^@/]+)@)?([^/]+)(\/.*)?$/.exec(url.trim());
  if (!m) throw new Error(`Invalid ZooKeeper URL '${url}' (expected zk://host:port[,host:port]/path)`);
  const root = m[3] && m[3] !== '/' ? m[3].replace(/\/+$/, '') : '/pacer';
  return { hosts: m[2], root, ...(m[1] ? { auth: m[1] } : {}) };
}

const CANDIDATE = /^c_([0-9a-f-]+)_(\d{10,})$/;

/** The name prefix of a candidate znode (ZooKeeper appends the 10-digit sequence). */
export function candidatePrefix(token: string): string {
  return `c_${token}_`;
}

/** Sequence number of a candidate znode name; undefined for anything else. */
export function sequenceOf(name: string): number | undefined {
  const m = CANDIDATE.exec(name);
  return m ? Number(m[2]) : undefined;
}

/** Candidate znode names ordered by sequence number (other children ignored). */
export function orderCandidates(children: readonly string[]): string[] {
  return children
    .filter((c) => sequenceOf(c) !== undefined)
    .sort((a, b) => (sequenceOf(a) as number) - (sequenceOf(b) as number));
}

export interface Position {
  /** the lowest candidate (the leader) */
  readonly leader: string | undefined;
  /** our index in the order; -1 when our node is not among the children */
  readonly index: number;
  /** the candidate just before ours (the one we watch); undefined when we lead or are absent */
  readonly predecessor: string | undefined;
}

/** Where `own` stands among `children`. */
export function positionOf(children: readonly string[], own: string | undefined): Position {
  const ordered = orderCandidates(children);
  const index = own === undefined ? -1 : ordered.indexOf(own);
  return { leader: ordered[0], index, predecessor: index > 0 ? ordered[index - 1] : undefined };
}

// ---- node-zookeeper-client (no type declarations ship with it) ----

interface ZkError extends Error {
  getCode?(): number;
}
type Cb<T> = (err: ZkError | null, value: T) => void;
interface ZkStat {
  readonly ephemeralOwner?: Buffer;
}
interface ZkEvent {
  readonly path?: string;
  getPath?(): string;
  getName?(): string;
}
type Watcher = (event: ZkEvent) => void;
interface ZkTransaction {
  check(path: string, version?: number): ZkTransaction;
  commit(cb: Cb<unknown>): void;
}
export interface ZkClient {
  on(event: 'state', cb: (state: { name: string }) => void): void;
  connect(): void;
  close(): void;
  addAuthInfo(scheme: string, auth: Buffer): void;
  getSessionTimeout(): number;
  mkdirp(path: string, cb: Cb<string>): void;
  create(path: string, data: Buffer, mode: number, cb: Cb<string>): void;
  remove(path: string, version: number, cb: Cb<void>): void;
  exists(path: string, watcher: Watcher | undefined, cb: Cb<ZkStat | null>): void;
  getChildren(path: string, cb: Cb<string[]>): void;
  getData(path: string, watcher: Watcher, cb: Cb<Buffer | undefined>): void;
  transaction(): ZkTransaction;
}
interface ZkModule {
  createClient(hosts: string, options: { sessionTimeout: number; spinDelay: number; retries: number }): ZkClient;
  CreateMode: { EPHEMERAL_SEQUENTIAL: number };
  Exception: { NO_NODE: number; NODE_EXISTS: number; CONNECTION_LOSS: number; SESSION_EXPIRED: number };
}
// A typed require keeps the untyped package's surface local to this file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const zookeeper = require('node-zookeeper-client') as ZkModule;

function codeOf(e: unknown): number | undefined {
  const err = e as ZkError | undefined;
  return typeof err?.getCode === 'function' ? err.getCode() : undefined;
}

class ZkTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`ZooKeeper did not answer ${what} within ${ms} ms`);
    this.name = 'ZkTimeoutError';
  }
}

// ---- the election ----

export interface ElectionLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface ElectionEvents {
  /** Our candidate is the lowest: `win` identifies this win (see isElected/confirm). */
  elected(win: number): void;
  /** Leadership is gone (called synchronously, at once). Only after an `elected`. */
  lost(reason: string): void;
  /** The leader's address changed (undefined: unknown). */
  leaderChanged?(address: string | undefined): void;
  /** One round of the election finished (the first one tells ZkLeadership it is ready). */
  evaluated?(): void;
}

export interface ZkElectionOptions {
  readonly target: ZkTarget;
  /** what our candidate znode holds: this replica's advertised host:port */
  readonly id: string;
  /** false: only follow who leads, never stand (a replica that cannot take terms) */
  readonly candidate?: boolean;
  /** asked of ZooKeeper; the server may grant another value within its min/max */
  readonly sessionTimeoutMs?: number;
  /** bound on every ZooKeeper call */
  readonly opTimeoutMs?: number;
  /** leadership is given up when ZooKeeper was silent this long; default: half the granted session timeout */
  readonly connectionLossBoundMs?: number;
  /** delay before retrying after an error */
  readonly retryDelayMs?: number;
  readonly log?: ElectionLog;
}

export interface ElectionStats {
  /** sessions opened (the first one included) */
  sessions: number;
  /** candidate znodes created */
  candidacies: number;
  /** times our predecessor's watch woke us (the no-herd property: only the successor wakes) */
  predecessorWakeups: number;
  /** times the leader-address watch woke us */
  leaderWakeups: number;
  /** election rounds run */
  rounds: number;
}

const NO_LOG: ElectionLog = { info: () => undefined, warn: () => undefined };

export class ZkElection {
  readonly stats: ElectionStats = { sessions: 0, candidacies: 0, predecessorWakeups: 0, leaderWakeups: 0, rounds: 0 };
  private readonly leaderPath: string;
  private readonly opTimeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly log: ElectionLog;
  private readonly isCandidate: boolean;

  private client: ZkClient | undefined;
  /** Bumped for every new session: events and answers of older sessions are ignored. */
  private session = 0;
  private connected = false;
  private running = false;
  /** full path of our candidate znode in the current session */
  private node: string | undefined;
  /** uuid in our znode's name, kept until the znode is known (a create whose answer was lost) */
  private token: string | undefined;
  /** 0 = not elected; otherwise the id of the current win */
  private win = 0;
  private wins = 0;
  private leader: string | undefined;
  /** when the last call ZooKeeper answered was sent (ms, monotonic) */
  private lastContact = 0;
  private grantedTimeoutMs: number;
  private rounding = false;
  private roundAgain = false;
  private watching: string | undefined;
  private leaderNodePath: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(
    private readonly options: ZkElectionOptions,
    private readonly events: ElectionEvents,
  ) {
    this.leaderPath = `${options.target.root === '/' ? '' : options.target.root}/leader`;
    this.opTimeoutMs = options.opTimeoutMs ?? 5000;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.grantedTimeoutMs = options.sessionTimeoutMs ?? 10_000;
    this.log = options.log ?? NO_LOG;
    this.isCandidate = options.candidate ?? true;
  }

  /** Connects and stands as a candidate (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.openSession();
  }

  /** Leaves the election: leadership lost at once, our znode removed, the session closed. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.lose('stopping');
    this.setLeader(undefined); // a stopped election knows nothing
    clearTimeout(this.retryTimer);
    clearInterval(this.tickTimer);
    const client = this.client;
    const node = this.node;
    this.client = undefined;
    this.node = undefined;
    this.session++;
    if (client && node && this.connected) {
      // Removing the znode first lets the successor take over at once even if CLOSE_SESSION is lost.
      await this.call<void>(client, `remove ${node}`, (cb) => client.remove(node, -1, cb)).catch(() => undefined);
    }
    client?.close();
    this.connected = false;
  }

  /**
   * Gives leadership up (lost at once) and stands again as a new candidate, behind the others.
   * With no other candidate we are elected again (a new win, hence a new term).
   */
  async resign(reason = 'abdicated'): Promise<void> {
    if (!this.running) return;
    this.lose(reason);
    const client = this.client;
    const node = this.node;
    this.node = undefined;
    this.token = undefined;
    if (client && node) {
      try {
        await this.call<void>(client, `remove ${node}`, (cb) => client.remove(node, -1, cb));
      } catch (e) {
        if (codeOf(e) !== zookeeper.Exception.NO_NODE) {
          // The znode may still stand: only ending the session removes it for sure.
          this.log.warn(`could not remove our candidate znode (${(e as Error).message}): starting a new session`);
          this.recycle('could not remove our candidate znode');
          return;
        }
      }
    }
    this.round();
  }

  isElected(win?: number): boolean {
    return this.win !== 0 && (win === undefined || this.win === win);
  }

  /** Address of the current leader (the lowest candidate's data), if known. */
  leaderAddress(): string | undefined {
    return this.leader;
  }

  /**
   * A linearizable check that win `win` still stands: a multi-op `check` of our znode goes through
   * ZooKeeper's leader like a write, so if it succeeds our znode existed at that point and no later
   * candidate can have been elected before it. False (and leadership lost) otherwise.
   */
  async confirm(win: number): Promise<boolean> {
    const client = this.client;
    const node = this.node;
    if (!client || !node || this.win !== win) return false;
    try {
      await this.call<unknown>(client, 'check', (cb) => client.transaction().check(node).commit(cb));
    } catch (e) {
      if (this.win === win) {
        this.doubt(`confirming leadership failed: ${(e as Error).message}`, e instanceof ZkTimeoutError);
        // Still standing (and maybe still the lowest): a later round decides again, with a new win.
        this.retryLater(() => this.round());
      }
      return false;
    }
    return this.win === win;
  }

  /** Our candidate znode (full path), if any. */
  candidateNode(): string | undefined {
    return this.node;
  }

  /** The raw client of the current session (tests: close it to simulate a crash). */
  rawClient(): ZkClient | undefined {
    return this.client;
  }

  // ---- sessions ----

  private openSession(): void {
    const session = ++this.session;
    this.stats.sessions++;
    this.connected = false;
    this.node = undefined;
    this.token = undefined;
    this.watching = undefined;
    this.leaderNodePath = undefined;
    const { target } = this.options;
    const client = zookeeper.createClient(target.hosts, { sessionTimeout: this.options.sessionTimeoutMs ?? 10_000, spinDelay: 200, retries: 0 });
    if (target.auth) client.addAuthInfo('digest', Buffer.from(target.auth));
    client.on('state', (state) => this.onState(session, state.name));
    this.client = client;
    this.lastContact = performance.now();
    client.connect();
    clearInterval(this.tickTimer);
    this.tickTimer = setInterval(() => this.tick(), this.tickMs());
    this.tickTimer.unref();
  }

  /** Closes the current session and opens a new one (leadership lost first). */
  private recycle(reason: string): void {
    this.lose(reason);
    if (!this.running) return;
    this.log.warn(`ZooKeeper session replaced: ${reason}`);
    const old = this.client;
    this.client = undefined;
    this.session++;
    old?.close();
    this.openSession();
  }

  private onState(session: number, name: string): void {
    if (session !== this.session || !this.running) return;
    switch (name) {
      case 'SYNC_CONNECTED': {
        this.connected = true;
        this.lastContact = performance.now();
        const granted = this.client?.getSessionTimeout();
        if (granted && granted > 0 && granted !== this.grantedTimeoutMs) {
          this.grantedTimeoutMs = granted;
          clearInterval(this.tickTimer);
          this.tickTimer = setInterval(() => this.tick(), this.tickMs());
          this.tickTimer.unref();
        }
        this.round();
        return;
      }
      case 'DISCONNECTED':
        // The library reconnects with the same session; the tick gives leadership up if that takes
        // longer than the bound.
        this.connected = false;
        return;
      case 'EXPIRED':
        this.connected = false;
        this.recycle('ZooKeeper session expired');
        return;
      case 'AUTH_FAILED':
        this.connected = false;
        this.lose('ZooKeeper authentication failed');
        this.retryLater(() => this.recycle('ZooKeeper authentication failed'));
        return;
      default:
        // CONNECTED_READ_ONLY: a partitioned server cannot let us create or keep a candidacy.
        this.connected = false;
        this.doubt(`ZooKeeper connection is ${name}`, false);
    }
  }

  private boundMs(): number {
    return this.options.connectionLossBoundMs ?? Math.floor(this.grantedTimeoutMs / 2);
  }

  private tickMs(): number {
    return Math.max(50, Math.floor(Math.min(this.boundMs(), this.grantedTimeoutMs / 3) / 4));
  }

  /**
   * The lease: while elected, ZooKeeper must have answered within the bound, else leadership is
   * lost. Also probes our znode (the library never notices a server that stopped answering) and
   * replaces a session that stayed unreachable for longer than its timeout (it is dead on the
   * server by then; a closed client never reconnects).
   */
  private tick(): void {
    if (!this.running) return;
    const silentMs = performance.now() - this.lastContact;
    if (this.win !== 0 && silentMs > this.boundMs()) {
      this.doubt(`no answer from ZooKeeper for ${Math.round(silentMs)} ms (bound ${this.boundMs()} ms)`, false);
    }
    if (!this.connected) {
      if (silentMs > this.grantedTimeoutMs + this.opTimeoutMs) this.recycle(`ZooKeeper unreachable for ${Math.round(silentMs)} ms`);
      return;
    }
    this.probe();
  }

  private probe(): void {
    const client = this.client;
    const node = this.node;
    if (!client || this.probing) return;
    this.probing = true;
    const path = node ?? this.leaderPath;
    const session = this.session;
    this.call<ZkStat | null>(client, `exists ${path}`, (cb) => client.exists(path, undefined, cb))
      .then((stat) => {
        if (session !== this.session || node !== this.node || !node || stat) return;
        this.doubt('our candidate znode vanished', false);
        this.node = undefined;
        this.round();
      })
      .catch((e: unknown) => {
        if (session !== this.session) return;
        if (e instanceof ZkTimeoutError) this.recycle(e.message);
      })
      .finally(() => {
        this.probing = false;
      });
  }

  // ---- rounds ----

  /** Runs election rounds one at a time; a request during a round runs one more after it. */
  private round(): void {
    if (!this.running) return;
    if (this.rounding) {
      this.roundAgain = true;
      return;
    }
    this.rounding = true;
    void (async () => {
      try {
        do {
          this.roundAgain = false;
          const session = this.session;
          try {
            await this.roundOnce(session);
          } catch (e) {
            if (session === this.session) this.roundFailed(e);
          }
        } while (this.roundAgain && this.running);
      } finally {
        this.rounding = false;
      }
      this.events.evaluated?.();
    })();
  }

  private roundFailed(e: unknown): void {
    const code = codeOf(e);
    if (e instanceof ZkTimeoutError) return this.recycle(e.message);
    if (code === zookeeper.Exception.SESSION_EXPIRED) return this.recycle('ZooKeeper session expired');
    // Connection loss: the library reconnects and SYNC_CONNECTED runs a round; the tick bounds it.
    if (code === zookeeper.Exception.CONNECTION_LOSS) return;
    this.log.warn(`leader election round failed: ${(e as Error).message}`);
    this.retryLater(() => this.round());
  }

  private async roundOnce(session: number): Promise<void> {
    const client = this.client;
    if (!client || !this.connected) return;
    this.stats.rounds++;
    if (this.isCandidate && !this.node) await this.createCandidate(client, session);
    if (session !== this.session) return;
    const children = await this.call<string[]>(client, `getChildren ${this.leaderPath}`, (cb) => client.getChildren(this.leaderPath, cb)).catch((e: unknown) => {
      if (codeOf(e) === zookeeper.Exception.NO_NODE) return [] as string[];
      throw e;
    });
    if (session !== this.session) return;
    await this.removeDuplicates(client, children);
    if (session !== this.session) return;
    // No await between reading our node and deciding: resign() may drop the node at any await.
    const own = this.node?.slice(this.leaderPath.length + 1);
    const pos = positionOf(children, own);
    if (this.isCandidate && pos.index < 0) {
      // Our znode is gone while the session lives (removed by someone): stand again.
      this.doubt('our candidate znode vanished', false);
      this.node = undefined;
      this.roundAgain = true;
      return;
    }
    if (pos.index === 0) {
      this.watching = undefined;
      this.leaderNodePath = undefined;
      this.setLeader(this.options.id);
      if (this.win === 0) {
        this.win = ++this.wins;
        this.log.info(`elected: ${this.node} is the lowest candidate`);
        this.events.elected(this.win);
      }
      return;
    }
    if (this.win !== 0) this.doubt('no longer the lowest candidate', false);
    if (!pos.leader) {
      this.setLeader(undefined);
      return;
    }
    // The leader's address (and a watch telling us when it goes)...
    const leaderNode = `${this.leaderPath}/${pos.leader}`;
    this.leaderNodePath = leaderNode;
    const data = await this.call<Buffer | undefined>(client, `getData ${leaderNode}`, (cb) => client.getData(leaderNode, this.onLeaderEvent, cb)).catch((e: unknown) => {
      if (codeOf(e) === zookeeper.Exception.NO_NODE) return null;
      throw e;
    });
    if (session !== this.session) return;
    if (data === null) {
      this.roundAgain = true;
      return;
    }
    this.setLeader(data && data.length > 0 ? data.toString('utf8') : undefined);
    if (!pos.predecessor) return; // not a candidate: the leader watch is all we need
    // ...and the one watch of the election: our predecessor.
    const predecessor = `${this.leaderPath}/${pos.predecessor}`;
    this.watching = predecessor;
    const stat = await this.call<ZkStat | null>(client, `exists ${predecessor}`, (cb) => client.exists(predecessor, this.onPredecessorEvent, cb));
    if (session !== this.session) return;
    if (!stat) this.roundAgain = true; // gone between the two reads
  }

  private async createCandidate(client: ZkClient, session: number): Promise<void> {
    await this.call<string>(client, `mkdirp ${this.leaderPath}`, (cb) => client.mkdirp(this.leaderPath, cb));
    this.token ??= randomUUID();
    const prefix = `${this.leaderPath}/${candidatePrefix(this.token)}`;
    try {
      const path = await this.call<string>(client, `create ${prefix}`, (cb) =>
        client.create(prefix, Buffer.from(this.options.id, 'utf8'), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb),
      );
      if (session !== this.session) return;
      this.node = path;
    } catch (e) {
      // The answer may be lost while the znode exists: find it by our uuid.
      if (session !== this.session) throw e;
      const children = await this.call<string[]>(client, `getChildren ${this.leaderPath}`, (cb) => client.getChildren(this.leaderPath, cb));
      const mine = orderCandidates(children).find((c) => c.startsWith(candidatePrefix(this.token as string)));
      if (!mine) throw e;
      this.node = `${this.leaderPath}/${mine}`;
    }
    this.stats.candidacies++;
    this.log.info(`standing for leadership as ${this.node}`);
  }

  /** A second znode with our uuid (a create retried after a lost answer) would be a ghost: remove it. */
  private async removeDuplicates(client: ZkClient, children: readonly string[]): Promise<void> {
    const own = this.node?.slice(this.leaderPath.length + 1);
    if (!this.token || !own || !children.some((c) => c !== own && c.startsWith(candidatePrefix(this.token as string)))) return;
    const prefix = candidatePrefix(this.token);
    for (const c of children) {
      if (c === own || !c.startsWith(prefix)) continue;
      const path = `${this.leaderPath}/${c}`;
      await this.call<void>(client, `remove ${path}`, (cb) => client.remove(path, -1, cb)).catch(() => undefined);
    }
  }

  private readonly onPredecessorEvent = (event: ZkEvent): void => {
    if (!this.running || pathOf(event) !== this.watching) return;
    this.stats.predecessorWakeups++;
    this.watching = undefined;
    this.round();
  };

  private readonly onLeaderEvent = (event: ZkEvent): void => {
    if (!this.running || pathOf(event) !== this.leaderNodePath) return;
    this.stats.leaderWakeups++;
    this.leaderNodePath = undefined;
    this.round();
  };

  // ---- leadership ----

  /** Leadership lost at once (synchronously), if held. */
  private lose(reason: string): void {
    if (this.win === 0) return;
    this.win = 0;
    this.events.lost(reason); // first: leader-only work stops before anything else runs
    this.log.warn(`leadership lost: ${reason}`);
    this.setLeader(undefined);
  }

  /** In doubt: leadership lost now; `replaceSession` when the session itself is suspect. */
  private doubt(reason: string, replaceSession: boolean): void {
    if (replaceSession) this.recycle(reason);
    else this.lose(reason);
  }

  private setLeader(address: string | undefined): void {
    if (address === this.leader) return;
    this.leader = address;
    this.events.leaderChanged?.(address);
  }

  private retryLater(fn: () => void): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.running) fn();
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }

  /** One ZooKeeper call, bounded; an answer (even an error answer) counts as contact. */
  private call<T>(client: ZkClient, what: string, run: (cb: Cb<T>) => void): Promise<T> {
    const sentAt = performance.now();
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(new ZkTimeoutError(what, this.opTimeoutMs));
      }, this.opTimeoutMs);
      run((err, value) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const code = codeOf(err);
        if (client === this.client && code !== zookeeper.Exception.CONNECTION_LOSS && code !== zookeeper.Exception.SESSION_EXPIRED) {
          this.lastContact = Math.max(this.lastContact, sentAt);
        }
        if (err) reject(err);
        else resolve(value);
      });
    });
  }
}

function pathOf(event: ZkEvent): string | undefined {
  return typeof event.getPath === 'function' ? event.getPath() : event.path;
}
