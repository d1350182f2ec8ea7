// UPDATE_FRAMEWORK and KILL of a task the agent has not received yet (TASK_KILLED_DURING_LAUNCH),
// over raw HTTP in both encodings.
import * as net from 'node:net';
import type { LocalMesos } from '../index';
import { CONTENT_TYPE, encodeCall, eventually, frameworkInfo, SchedulerClient, type EventStream, type Json } from '../testing/client';
import { acceptCall, ENCODINGS, nextOffer, startFast, taskInfo } from './harness';

describe.each(ENCODINGS)('UPDATE_FRAMEWORK (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;
  let stream: EventStream;
  const info = frameworkInfo({ roles: ['a', 'b'] });

  beforeEach(async () => {
    mesos = await startFast();
    client = new SchedulerClient(mesos.url, encoding);
    // Role 'a' suppressed: every offer goes to role 'b'.
    stream = await client.subscribeOk(info, { suppressedRoles: ['a'] });
  });
  afterEach(async () => {
    client.close();
    await mesos.stop();
  });

  const update = (frameworkInfo: Json, suppressedRoles?: string[]): Json => ({
    type: 'UPDATE_FRAMEWORK',
    update_framework: { framework_info: { ...frameworkInfo, id: { value: stream.frameworkId } }, ...(suppressedRoles ? { suppressed_roles: suppressedRoles } : {}) },
  });

  it('200: new name and roles apply; offers to a dropped role are rescinded; suppressed roles are replaced', async () => {
    const offer = await nextOffer(stream);
    expect(offer.allocation_info).toEqual({ role: 'b' });
    const r = await stream.call(update({ ...info, name: 'renamed', roles: ['a'] }));
    expect(r.status).toBe(200);
    const rescind = await stream.take((e) => e.type === 'RESCIND' && e.rescind!.offer_id.value === offer.id.value, 5000, 'RESCIND');
    expect(rescind.rescind!.offer_id.value).toBe(offer.id.value);
    // Role 'a' is no longer suppressed (the update carried no suppressed roles): offers come for 'a'.
    const next = await nextOffer(stream, undefined, 5000, (o) => o.allocation_info?.role === 'a');
    expect(next.allocation_info).toEqual({ role: 'a' });
    const fw = (mesos.state().frameworks as Json[]).find((f) => f.id === stream.frameworkId)!;
    expect(fw).toMatchObject({ name: 'renamed', roles: ['a'], suppressed_roles: [] });
  });

  it('400 when framework_info.id differs from framework_id', async () => {
    const r = await stream.call({ type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: { ...info, id: { value: 'someone-else' } } } });
    expect(r.status).toBe(400);
    expect(r.body).toBe("'framework_info.id' differs from 'framework_id'");
  });

  it('400 for a change of user, checkpoint or principal', async () => {
    const user = await stream.call(update({ ...info, user: 'other' }));
    expect([user.status, user.body]).toEqual([400, "Updating 'FrameworkInfo.user' is unsupported"]);
    const checkpoint = await stream.call(update({ ...info, checkpoint: true }));
    expect([checkpoint.status, checkpoint.body]).toEqual([400, "Updating 'FrameworkInfo.checkpoint' is unsupported"]);
    const principal = await stream.call(update({ ...info, principal: 'p' }));
    expect([principal.status, principal.body]).toEqual([400, "Updating 'FrameworkInfo.principal' is unsupported"]);
  });

  it('400 for invalid framework info: suppressed role outside the roles, role without MULTI_ROLE', async () => {
    const suppressed = await stream.call(update(info, ['c']));
    expect([suppressed.status, suppressed.body]).toEqual([400, "Suppressed role 'c' is not contained in the framework's roles"]);
    const roles = await stream.call(update({ ...info, capabilities: [{ type: 'PARTITION_AWARE' }] }));
    expect(roles.status).toBe(400);
    expect(roles.body).toBe("'FrameworkInfo.roles' must not be set without the MULTI_ROLE capability");
    // Nothing changed.
    const fw = (mesos.state().frameworks as Json[]).find((f) => f.id === stream.frameworkId)!;
    expect(fw).toMatchObject({ roles: ['a', 'b'], suppressed_roles: ['a'] });
  });

  it('400 without update_framework; 403 once the framework is disconnected', async () => {
    const missing = await stream.call({ type: 'UPDATE_FRAMEWORK' });
    expect([missing.status, missing.body]).toEqual([400, "Failed to validate scheduler::Call: Expecting 'update_framework' to be present"]);
    const id = stream.frameworkId!;
    const streamId = stream.streamId;
    // Keep the framework (failover timeout) but drop its stream.
    const r = await stream.call(update({ ...info, failover_timeout: 60 }));
    expect(r.status).toBe(200);
    stream.close();
    await eventually(() => (mesos.state().frameworks as Json[]).some((f) => f.id === id && f.connected === false), 5000, 'disconnect');
    const after = await client.call({ framework_id: { value: id }, ...update({ ...info, id: { value: id } }) }, { 'Mesos-Stream-Id': streamId });
    expect([after.status, after.body]).toEqual([403, 'Framework is not subscribed']);
  });
});

/** Writes several calls on one connection in one TCP write (HTTP/1.1 pipelining); resolves with the status lines. */
function pipelined(port: number, encoding: 'json' | 'protobuf', streamId: string, calls: Json[]): Promise<string[]> {
  const requests = calls.map((call) => {
    const body = encodeCall(encoding, call);
    const head = `POST /api/v1/scheduler HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${CONTENT_TYPE[encoding]}\r\nMesos-Stream-Id: ${streamId}\r\nContent-Length: ${body.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  });
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let text = '';
    sock.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const lines = text.match(/HTTP\/1\.1 \d{3}[^\r]*/g) ?? [];
      if (lines.length >= calls.length) {
        sock.destroy();
        resolve(lines);
      }
    });
    sock.on('error', reject);
    sock.write(Buffer.concat(requests));
  });
}

describe.each(ENCODINGS)('KILL before the agent has the task (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;
  let stream: EventStream;

  beforeEach(async () => {
    mesos = await startFast({ simulate: true });
    client = new SchedulerClient(mesos.url, encoding);
    stream = await client.subscribeOk(frameworkInfo());
  });
  afterEach(async () => {
    client.close();
    await mesos.stop();
  });

  it('ACCEPT and KILL in one TCP write: TASK_KILLED, REASON_TASK_KILLED_DURING_LAUNCH, reliable; no STARTING', async () => {
    const offer = await nextOffer(stream);
    const fid = { framework_id: { value: stream.frameworkId } };
    const statuses = await pipelined(mesos.port, encoding, stream.streamId, [
      { ...fid, ...acceptCall([offer.id.value], [taskInfo('early-kill', offer, 'sleep 30')]) },
      { ...fid, type: 'KILL', kill: { task_id: { value: 'early-kill' }, agent_id: offer.agent_id } },
    ]);
    expect(statuses).toEqual(['HTTP/1.1 202 Accepted', 'HTTP/1.1 202 Accepted']);
    const killed = await stream.update('early-kill');
    expect(killed).toMatchObject({ state: 'TASK_KILLED', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', source: 'SOURCE_AGENT' });
    expect(killed.agent_id!.value).toBe(offer.agent_id.value);
    expect(Buffer.from(killed.uuid!, 'base64')).toHaveLength(16);
    // The agent never ran it: no STARTING/RUNNING before or after.
    expect(stream.events.filter((e) => e.update?.status.task_id.value === 'early-kill').map((e) => e.update!.status.state)).toEqual(['TASK_KILLED']);
    // Acknowledging the terminal update lets the master forget the task.
    expect((await stream.ack(killed)).status).toBe(202);
    await eventually(() => !(mesos.state().tasks as Json[]).some((t) => t.id === 'early-kill'), 5000, 'task forgotten');
    expect((mesos.state().completed_tasks as Json[]).find((t) => t.id === 'early-kill')).toMatchObject({ state: 'TASK_KILLED' });
  });
});
