// Every call-level refusal of POST /api/v1/scheduler, in both encodings (reference §1.3).
import type { LocalMesos } from '../index';
import { CONTENT_TYPE, encodeCall, frameworkInfo, HttpError, rawRequest, SchedulerClient, type EventStream } from '../testing/client';
import { ENCODINGS, startFast } from './harness';

describe.each(ENCODINGS)('scheduler endpoint errors (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;
  let stream: EventStream;
  const ct = CONTENT_TYPE[encoding];

  beforeAll(async () => {
    mesos = await startFast();
    client = new SchedulerClient(mesos.url, encoding);
    stream = await client.subscribeOk(frameworkInfo({ failover_timeout: 60 }));
  });
  afterAll(async () => {
    client.close();
    await mesos.stop();
  });

  const post = (body: Buffer | string, headers: Record<string, string>) => rawRequest(client.url, { headers, body });

  it('405 for methods other than POST', async () => {
    const r = await rawRequest(client.url, { method: 'GET' });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('POST');
  });

  it('400 without Content-Type, 415 for anything but the exact media types', async () => {
    const body = encodeCall(encoding, { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } });
    expect((await post(body, {})).status).toBe(400);
    expect((await post(body, { 'Content-Type': `${ct}; charset=utf-8` })).status).toBe(415);
    expect((await post(body, { 'Content-Type': 'text/plain' })).status).toBe(415);
  });

  it('400 for a malformed body', async () => {
    const r = await post(encoding === 'json' ? '{"type":' : Buffer.from([0x0a, 0xff, 0xff, 0xff]), { 'Content-Type': ct });
    expect(r.status).toBe(400);
    expect(r.body).toMatch(encoding === 'json' ? /^Failed to parse body into JSON/ : /^Failed to parse body into Call protobuf/);
  });

  it('400 when required fields are missing', async () => {
    // protobufjs fills required fields with defaults, so the protobuf body is written by hand:
    // Call{type=SUBSCRIBE(1), subscribe{framework_info{name="x"}}} without framework_info.user.
    const body = encoding === 'json'
      ? encodeCall(encoding, { type: 'SUBSCRIBE', subscribe: { framework_info: { name: 'x' } } })
      : Buffer.from([0x10, 0x01, 0x1a, 0x05, 0x0a, 0x03, 0x12, 0x01, 0x78]);
    const r = await post(body, { 'Content-Type': ct });
    expect(r.status).toBe(400);
    if (encoding === 'json') expect(r.body).toContain('subscribe.framework_info.user');
  });

  it('400 when the sub-message of the call type is absent', async () => {
    const r = await stream.call({ type: 'ACCEPT' });
    expect(r.status).toBe(400);
    expect(r.body).toBe("Failed to validate scheduler::Call: Expecting 'accept' to be present");
    expect((await stream.call({ type: 'RECONCILE' })).status).toBe(400);
    expect((await stream.call({ type: 'RECONCILE', reconcile: {} })).status).toBe(202);
  });

  it('400 without framework_id on a non-SUBSCRIBE call', async () => {
    const r = await client.call({ type: 'REVIVE' }, { 'Mesos-Stream-Id': stream.streamId });
    expect(r.status).toBe(400);
    expect(r.body).toContain("Expecting 'framework_id' to be present");
  });

  it('400 when SUBSCRIBE framework ids differ', async () => {
    const r = await post(encodeCall(encoding, { type: 'SUBSCRIBE', framework_id: { value: 'a' }, subscribe: { framework_info: frameworkInfo({ id: { value: 'b' } }) } }), { 'Content-Type': ct });
    expect(r.status).toBe(400);
  });

  it('400 for a SUBSCRIBE carrying Mesos-Stream-Id; 406 for an unacceptable Accept', async () => {
    const body = encodeCall(encoding, { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } });
    const r1 = await post(body, { 'Content-Type': ct, 'Mesos-Stream-Id': stream.streamId });
    expect(r1.status).toBe(400);
    expect(r1.body).toBe("Subscribe calls should not include the 'Mesos-Stream-Id' header");
    const r2 = await post(body, { 'Content-Type': ct, Accept: 'text/html' });
    expect(r2.status).toBe(406);
  });

  it('400 for an unknown framework, a missing stream id and a wrong stream id', async () => {
    const unknown = await client.call({ type: 'REVIVE', framework_id: { value: 'nope' } }, { 'Mesos-Stream-Id': stream.streamId });
    expect(unknown).toMatchObject({ status: 400, body: 'Framework cannot be found' });
    const missing = await client.call({ type: 'REVIVE', framework_id: { value: stream.frameworkId } });
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('Mesos-Stream-Id');
    const wrong = await stream.call({ type: 'REVIVE' }, { 'Mesos-Stream-Id': 'not-the-stream' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain("didn't match the stream ID");
  });

  it('400 for an ACKNOWLEDGE whose uuid is not 16 bytes', async () => {
    const r = await stream.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: Buffer.from('short').toString('base64') } });
    expect(r.status).toBe(400);
  });

  it('501 for Call.type UNKNOWN', async () => {
    if (encoding === 'json') {
      expect((await stream.call({ type: 'UNKNOWN' })).status).toBe(501);
      return;
    }
    // protobufjs omits an enum's zero value, so write framework_id + type=0 explicitly.
    const id = Buffer.from(stream.frameworkId!);
    const body = Buffer.concat([Buffer.from([0x0a, id.length + 2, 0x0a, id.length]), id, Buffer.from([0x10, 0x00])]);
    const r = await post(body, { 'Content-Type': ct, 'Mesos-Stream-Id': stream.streamId });
    expect(r.status).toBe(501);
  });

  it('202 for accepted calls with an empty body', async () => {
    for (const call of [{ type: 'REVIVE' }, { type: 'SUPPRESS' }, { type: 'REVIVE', revive: { roles: ['*'] } }, { type: 'DECLINE', decline: { offer_ids: [{ value: 'gone' }] } }]) {
      const r = await stream.call(call);
      expect(r).toMatchObject({ status: 202, body: '' });
    }
  });

  it('403 once the framework is disconnected', async () => {
    const other = await client.subscribeOk(frameworkInfo({ failover_timeout: 60, name: 'disconnecting' }));
    other.close();
    await new Promise<void>((resolve) => {
      const poll = async (): Promise<void> => {
        const r = await other.call({ type: 'REVIVE' });
        if (r.status === 403) return resolve();
        setTimeout(() => void poll(), 20);
      };
      void poll();
    });
    const r = await other.call({ type: 'REVIVE' });
    expect(r).toMatchObject({ status: 403, body: 'Framework is not subscribed' });
  });

  if (encoding === 'json') {
    it('400 for an enum given as a number; camelCase keys are ignored', async () => {
      const numeric = await post(JSON.stringify({ type: 1, subscribe: { framework_info: frameworkInfo() } }), { 'Content-Type': ct });
      expect(numeric.status).toBe(400);
      const camel = await post(JSON.stringify({ type: 'SUBSCRIBE', subscribe: { frameworkInfo: frameworkInfo() } }), { 'Content-Type': ct });
      expect(camel.status).toBe(400);
      expect(camel.body).toContain('subscribe.framework_info');
    });
  }
});

describe.each(ENCODINGS)('leader modes (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;
  beforeAll(async () => {
    mesos = await startFast({ mode: { kind: 'redirect', leader: 'm2.example:5050' } });
    client = new SchedulerClient(mesos.url, encoding);
  });
  afterAll(async () => {
    client.close();
    await mesos.stop();
  });

  it('307 with a protocol-relative Location while not leader', async () => {
    mesos.setMode({ kind: 'redirect', leader: 'm2.example:5050' });
    const err = await client.subscribe(frameworkInfo()).catch((e: HttpError) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(307);
    expect((err as HttpError).headers.location).toBe('//m2.example:5050/api/v1/scheduler');
  });

  it('503 while recovering or without a leader', async () => {
    mesos.setMode({ kind: 'recovering' });
    const r1 = await client.call({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } });
    expect(r1).toMatchObject({ status: 503, body: 'Master has not finished recovery' });
    mesos.setMode({ kind: 'no-leader' });
    const r2 = await client.call({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } });
    expect(r2).toMatchObject({ status: 503, body: 'No leader elected' });
  });

  it('switches to leader through the operator endpoint', async () => {
    const r = await rawRequest(`${mesos.url}/__local/mode`, { body: JSON.stringify({ mode: 'leader' }), headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(200);
    const stream = await client.subscribeOk(frameworkInfo());
    expect(stream.frameworkId).toBeDefined();
  });
});
