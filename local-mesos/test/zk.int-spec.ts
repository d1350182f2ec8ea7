// ZooKeeper registration: an ephemeral sequential json.info_ znode with MasterInfo JSON (reference §5).
// Needs ZooKeeper on 127.0.0.1:2181 (the integration project's global setup starts it).
import type { LocalMesos } from '../index';
import { startFast } from './harness';

interface ZkClient {
  once(event: 'connected', cb: () => void): void;
  connect(): void;
  close(): void;
  getChildren(path: string, cb: (err: Error | null, children: string[]) => void): void;
  getData(path: string, cb: (err: Error | null, data: Buffer) => void): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zookeeper = require('node-zookeeper-client') as { createClient(hosts: string): ZkClient };

jest.setTimeout(20_000);

describe('ZooKeeper registration', () => {
  let mesos: LocalMesos | undefined;
  let zk: ZkClient;
  const path = `/local-mesos-test-${process.pid}`;

  beforeAll(async () => {
    zk = zookeeper.createClient('127.0.0.1:2181');
    await new Promise<void>((resolve) => {
      zk.once('connected', resolve);
      zk.connect();
    });
  });
  afterAll(async () => {
    await mesos?.stop();
    zk.close();
  });

  const children = (): Promise<string[]> => new Promise((resolve, reject) => zk.getChildren(path, (e, c) => (e ? reject(e) : resolve(c))));

  it('creates json.info_NNNNNNNNNN with MasterInfo JSON and removes it on stop', async () => {
    mesos = await startFast({ zk: `zk://127.0.0.1:2181${path}` });
    expect(mesos.zkNode).toMatch(new RegExp(`^${path}/json\\.info_\\d{10}$`));
    const names = await children();
    expect(names).toHaveLength(1);
    const data = await new Promise<Buffer>((resolve, reject) => zk.getData(`${path}/${names[0]}`, (e, d) => (e ? reject(e) : resolve(d))));
    const info = JSON.parse(data.toString('utf8')) as { id: string; address: { ip: string; port: number }; port: number; version: string };
    expect(info).toMatchObject({ id: mesos.masterId, port: mesos.port, address: { ip: '127.0.0.1', port: mesos.port } });
    await mesos.stop();
    mesos = undefined;
    const deadline = Date.now() + 10_000;
    while ((await children()).length > 0) {
      if (Date.now() > deadline) throw new Error('ephemeral node still present');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
