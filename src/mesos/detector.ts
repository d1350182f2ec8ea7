/**
 * Where the leading Mesos master is. `MESOS_MASTER` is one URL, a comma list (tried in turn: a
 * failure moves on to the next) or `zk://hosts/path` (ZooKeeper, see zk-detector.ts).
 */
export interface MasterDetector {
  /** The master to try now (http(s)://host:port); waits at most `timeoutMs` for one to be known. */
  current(timeoutMs: number): Promise<string | undefined>;
  /** `url` failed (refused, 503, timed out): the next `current()` should try another one. */
  failed(url: string): void;
  /** Tells the driver when the detected leader changes (only detectors that can know). */
  onChange(listener: (url: string | undefined) => void): void;
  close(): Promise<void>;
}

/** A fixed list of masters, tried in turn. */
export class StaticMasterDetector implements MasterDetector {
  private index = 0;
  readonly urls: readonly string[];

  constructor(urls: readonly string[]) {
    if (urls.length === 0) throw new Error('StaticMasterDetector needs at least one master URL');
    this.urls = urls.map(normalizeMasterUrl);
  }

  async current(): Promise<string> {
    return this.urls[this.index];
  }

  failed(url: string): void {
    if (this.urls[this.index] === normalizeMasterUrl(url)) this.index = (this.index + 1) % this.urls.length;
  }

  onChange(): void {
    // A static list never changes on its own.
  }

  async close(): Promise<void> {}
}

/** `http://host:5050/` → `http://host:5050` (the API path is added by the client). */
export function normalizeMasterUrl(raw: string): string {
  const u = new URL(raw.trim());
  return `${u.protocol}//${u.host}`;
}

/** Splits MESOS_MASTER into its kind: a zk:// URL or a list of http(s) URLs. */
export function parseMesosMaster(raw: string): { kind: 'zk'; url: string } | { kind: 'static'; urls: string[] } {
  const value = raw.trim();
  if (value.startsWith('zk://')) return { kind: 'zk', url: value };
  return { kind: 'static', urls: value.split(',').map((s) => s.trim()).filter((s) => s.length > 0) };
}

/**
 * A 307's Location (reference §1.3): protocol-relative `//host:port/path`, keep our scheme; an
 * absolute URL is taken as it is. Returns the master base URL (scheme://host:port).
 */
export function resolveRedirect(current: string, location: string): string {
  const target = new URL(location, current);
  return `${target.protocol}//${target.host}`;
}
