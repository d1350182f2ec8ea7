import type { LocalMesos } from '../index';
import { frameworkInfo, SchedulerClient } from '../testing/client';
import { ENCODINGS, startFast } from './harness';

describe.each(ENCODINGS)('SUBSCRIBE (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;

  beforeAll(async () => {
    mesos = await startFast();
  });
  afterAll(async () => {
    await mesos.stop();
  });
  beforeEach(() => {
    client = new SchedulerClient(mesos.url, encoding);
  });
  afterEach(() => client.close());

  it('answers 200 with a chunked RecordIO stream: SUBSCRIBED, then HEARTBEAT at once and every interval', async () => {
    const stream = await client.subscribe(frameworkInfo());
    expect(stream.res.statusCode).toBe(200);
    expect(stream.res.headers['content-type']).toBe(encoding === 'json' ? 'application/json' : 'application/x-protobuf');
    expect(stream.res.headers['transfer-encoding']).toBe('chunked');
    expect(stream.res.headers['content-length']).toBeUndefined();
    expect(stream.streamId).toMatch(/^[0-9a-f-]{36}$/);
    const subscribed = await stream.takeType('SUBSCRIBED');
    expect(stream.events[0]).toBe(subscribed);
    expect(subscribed.subscribed!.framework_id.value).toMatch(new RegExp(`^${mesos.masterId}-\\d{4}$`));
    expect(subscribed.subscribed!.heartbeat_interval_seconds).toBe(0.2);
    expect(subscribed.subscribed!.master_info.id).toBe(mesos.masterId);
    expect(subscribed.subscribed!.master_info.address!.port).toBe(mesos.port);
    await stream.takeType('HEARTBEAT');
    expect(stream.events[1].type).toBe('HEARTBEAT');
    await stream.takeType('HEARTBEAT', 2000);
  });
});
