import type { MasterDetector } from './detector';

/**
 * Leading-master detection through ZooKeeper (reference §5). Masters register ephemeral sequential
 * `json.info_NNNNNNNNNN` children under the path, holding MasterInfo as JSON; the lowest sequence
 * number leads. We watch the children, re-read on every change, and tell the driver when the leader
 * moves. Session loss or no children means "no leader known": `current()` then waits (bounded).
 */

/** The few node-zookeeper-client calls used here (the package ships no type declarations). */
interface ZkClient {
  on(event: 'state', cb: (state: { name: string }) => void): void;
  connect(): void;
  close(): void;
  addAuthInfo(scheme: string, auth: Buffer): void;
  getChildren(path: string, watcher: () => void, cb: (err: Error | null, children: string[]) => void): void;
  getData(path: string, cb: (err: Error | null, data: Buffer | undefined) => void): void;
}
interface ZkModule {
  createClient(hosts: string, options: { sessionTimeout: number; spinDelay: number; retries: number }): ZkClient;
}
// A typed require keeps the untyped package's surface local to this file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client') as ZkModule;

export interface ZkAddress {
  readonly hosts: string;
  readonly path: string;
  readonly auth?: string;
}

export function parseZkMasterUrl(url: string): ZkAddress {
  const m = /^zk:\/\/(?:([^@/]+)@)?([^/]+)(\/.*)?$/.exec(url.trim());
  if (!m) throw new Error(`Invalid ZooKeeper URL '${url}' (expected zk://host:port[,host:port]/path)`);
  const path = m[3] && m[3] !== '/' ? m[3].replace(/\/+$/, '') : '/mesos';
  return { hosts: m[2], path, ...(m[1] ? { auth: m[1] } : {}) };
}

/** The leader among a master group's children: the smallest sequence number (labels ignored). */
export function leaderNode(children: readonly string[]): string | undefined {
  let best: { name: string; seq: number } | undefined;
  for (const name of children) {
    const m = /^json\.info_(\d+)$/.exec(name);
    if (!m) continue; // legacy `info_` (binary) and other children such as log_replicas
    const seq = Number(m[1]);
    if (!best || seq < best.seq) best = { name, seq };
  }
  return best?.name;
}

/** Master URL from the MasterInfo JSON a master writes into its znode. */
export function masterUrlFromInfo(json: unknown): string | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const info = json as { hostname?: unknown; ip?: unknown; port?: unknown; address?: { hostname?: unknown; ip?: unknown; port?: unknown } };
  const a = info.address;
  const host = str(a?.ip) ?? str(a?.hostname) ?? legacyIp(info.ip) ?? str(info.hostname);
  const port = num(a?.port) ?? num(info.port) ?? 5050;
  if (!host) return undefined;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}
/** Deprecated `ip`: IPv4 packed in network byte order, read as a little-endian uint32. */
function legacyIp(v: unknown): string | undefined {
  if (typeof v !== 'number' || v <= 0) return undefined;
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff].join('.');
}

const RETRY_MS = 1000;

export class ZkMasterDetector implements MasterDetector {
  private client: ZkClient | undefined;
  private leader: string | undefined;
  private readonly listeners: ((url: string | undefined) => void)[] = [];
  private waiters: (() => void)[] = [];
  /** Bumped on every read cycle so late answers of an older cycle are dropped. */
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly address: ZkAddress;

  constructor(url: string, private readonly sessionTimeoutMs = 10_000) {
    this.address = parseZkMasterUrl(url);
  }

  /** Connects (idempotent); detection then runs until close(). */
  start(): void {
    if (this.client || this.closed) return;
    const client = zookeeper.createClient(this.address.hosts, { sessionTimeout: this.sessionTimeoutMs, spinDelay: 500, retries: 3 });
    if (this.address.auth) client.addAuthInfo('digest', Buffer.from(this.address.auth));
    client.on('state', (state) => this.onState(state.name));
    this.client = client;
    client.connect();
  }

  async current(timeoutMs: number): Promise<string | undefined> {
    this.start();
    if (this.leader || timeoutMs <= 0) return this.leader;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
    return this.leader;
  }

  failed(): void {
    // The leader is whatever ZooKeeper says; a failing leader is replaced there.
  }

  onChange(listener: (url: string | undefined) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.client?.close();
    this.client = undefined;
    this.release();
  }

  private onState(name: string): void {
    if (this.closed) return;
    if (name === 'SYNC_CONNECTED' || name === 'CONNECTED_READ_ONLY') this.refresh();
    else if (name === 'DISCONNECTED') this.setLeader(undefined);
    else if (name === 'EXPIRED') {
      // A new session is needed: the old client never reconnects after expiry.
      this.client?.close();
      this.client = undefined;
      this.setLeader(undefined);
      this.start();
    }
  }

  private refresh(): void {
    const client = this.client;
    if (!client || this.closed) return;
    const gen = ++this.generation;
    const { path } = this.address;
    client.getChildren(path, () => this.refresh(), (err, children) => {
      if (gen !== this.generation || this.closed) return;
      if (err) return this.retryLater();
      const node = leaderNode(children);
      if (!node) return this.setLeader(undefined); // the watch fires when a master registers
      client.getData(`${path}/${node}`, (e, data) => {
        if (gen !== this.generation || this.closed) return;
        // The node can vanish between the two reads: read the children again.
        if (e || !data) return this.retryLater();
        let url: string | undefined;
        try {
          url = masterUrlFromInfo(JSON.parse(data.toString('utf8')));
        } catch {
          url = undefined;
        }
        this.setLeader(url);
      });
    });
  }

  private retryLater(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.refresh();
    }, RETRY_MS);
  }

  private setLeader(url: string | undefined): void {
    const changed = url !== this.leader;
    this.leader = url;
    if (url) this.release();
    if (changed) for (const l of this.listeners) l(url);
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
