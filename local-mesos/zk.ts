// Optional ZooKeeper registration: an ephemeral sequential `json.info_` znode holding MasterInfo JSON
// under the given path, as Mesos masters do (reference §5), so zk:// detection can be tested.

/** The few node-zookeeper-client calls used here (the package ships no type declarations). */
interface ZkClient {
  once(event: 'connected' | 'disconnected', cb: () => void): void;
  connect(): void;
  close(): void;
  mkdirp(path: string, cb: (err: Error | null) => void): void;
  create(path: string, data: Buffer, mode: number, cb: (err: Error | null, path: string) => void): void;
}
interface ZkModule {
  createClient(hosts: string, options: { sessionTimeout: number; retries: number }): ZkClient;
  CreateMode: { EPHEMERAL_SEQUENTIAL: number };
}
// A typed require keeps the untyped package's surface local to this file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client') as ZkModule;

export interface ZkRegistration {
  path: string;
  close(): Promise<void>;
}

export function parseZkUrl(url: string): { hosts: string; path: string } {
  const m = /^zk:\/\/(?:[^@/]+@)?([^/]+)(\/.*)?$/.exec(url);
  if (!m) throw new Error(`Invalid ZooKeeper URL '${url}' (expected zk://host:port/path)`);
  return { hosts: m[1], path: m[2] && m[2] !== '/' ? m[2].replace(/\/$/, '') : '/mesos' };
}

export function registerInZk(url: string, masterInfo: Record<string, unknown>, timeoutMs = 10_000): Promise<ZkRegistration> {
  const { hosts, path } = parseZkUrl(url);
  const client = zookeeper.createClient(hosts, { sessionTimeout: 10_000, retries: 1 });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      client.once('disconnected', () => resolve());
      client.close();
      setTimeout(resolve, 2000).unref();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`ZooKeeper at ${hosts} not reachable within ${timeoutMs} ms`));
    }, timeoutMs);
    client.once('connected', () => {
      client.mkdirp(path, (err) => {
        if (err) return fail(err);
        const data = Buffer.from(JSON.stringify(masterInfo), 'utf8');
        client.create(`${path}/json.info_`, data, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, (e, created) => {
          if (e) return fail(e);
          clearTimeout(timer);
          resolve({ path: created, close });
        });
      });
    });
    const fail = (e: Error): void => {
      clearTimeout(timer);
      client.close();
      reject(e);
    };
    client.connect();
  });
}
