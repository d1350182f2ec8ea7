// Master failover on the same address (restartMaster / POST /__local/master/restart): streams are
// cut, the master answers 503 while down, a new master (new id) comes up, agents re-register with
// their still-running tasks, frameworks resubscribe with their ids, offers are fresh, and
// unacknowledged status updates are resent after resubscription. Both encodings, over raw HTTP.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LocalMesos } from '../index';
import { eventually, frameworkInfo, HttpError, rawRequest, SchedulerClient, type EventStream } from '../testing/client';
import { alive, ENCODINGS, launch, nextOffer, scalarOf, startFast, taskInfo, untilState } from './harness';

jest.setTimeout(20_000);

interface TaskRow {
  id: string;
  state: string;
  pid?: number;
  sandbox?: string;
  framework_id: string;
  unacknowledged_updates: number;
}

describe.each(ENCODINGS)('master restart (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;

  beforeEach(async () => {
    mesos = await startFast({ masterId: 'first-master' });
    client = new SchedulerClient(mesos.url, encoding);
  });
  afterEach(async () => {
    client.close();
    await mesos.stop();
  });

  const tasks = (): TaskRow[] => mesos.state().tasks as TaskRow[];
  const taskRow = (id: string): TaskRow | undefined => tasks().find((t) => t.id === id);
  const pidOf = (id: string): Promise<number> => eventually(() => taskRow(id)?.pid, 5000, `pid of ${id}`);
  const info = frameworkInfo({ failover_timeout: 3600 });

  async function runningTask(stream: EventStream, id: string, command = 'sleep 100', agentId?: string): Promise<number> {
    await launch(stream, (o) => [taskInfo(id, o, command, { cpus: 1, mem: 64 })], agentId);
    await untilState(stream, id, 'TASK_RUNNING');
    return pidOf(id);
  }

  it('keeps task processes running; the framework resubscribes with its id to a new master and reconciles RUNNING', async () => {
    const first = await client.subscribeOk(info);
    const frameworkId = first.frameworkId!;
    expect(frameworkId).toBe('first-master-0000');
    const pid = await runningTask(first, 'survivor', 'sleep 100', mesos.agentIds[0]);

    await mesos.restartMaster({ downForMs: 50 });
    // The old stream was cut (no ERROR event: the master died, it did not say goodbye).
    await first.waitClosed(5000);
    expect(first.events.some((e) => e.type === 'ERROR')).toBe(false);
    expect(mesos.masterId).not.toBe('first-master');
    expect(alive(pid)).toBe(true);

    // The new master learnt the framework from the agent's report: known, but not subscribed.
    expect((await first.call({ type: 'REVIVE' })).status).toBe(403);
    const state = mesos.state();
    expect(state.frameworks).toEqual([expect.objectContaining({ id: frameworkId, connected: false, task_count: 1 })]);
    expect(taskRow('survivor')).toMatchObject({ state: 'TASK_RUNNING', framework_id: frameworkId, pid });

    const second = await client.subscribe(info, { frameworkId });
    const subscribed = await second.takeType('SUBSCRIBED');
    expect(subscribed.subscribed!.framework_id.value).toBe(frameworkId);
    expect(subscribed.subscribed!.master_info.id).toBe(mesos.masterId);
    await second.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'survivor' } }] } });
    const answer = await second.update('survivor');
    expect(answer).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    expect(answer.agent_id!.value).toBe(mesos.agentIds[0]);
    await second.call({ type: 'RECONCILE', reconcile: {} });
    expect((await second.update('survivor')).state).toBe('TASK_RUNNING');

    // Offers are fresh (new master's ids) and still account for the surviving task's resources.
    const offer = await nextOffer(second, mesos.agentIds[0]);
    expect(offer.id.value.startsWith(`${mesos.masterId}-O`)).toBe(true);
    expect(scalarOf(offer, 'cpus')).toBe(3);
    expect(alive(pid)).toBe(true);

    // The surviving task is still under the framework's control.
    await second.call({ type: 'KILL', kill: { task_id: { value: 'survivor' } } });
    await untilState(second, 'survivor', 'TASK_KILLED');
    await eventually(() => !alive(-pid), 5000, 'killed process group gone');
  });

  it('answers 503 while down, and the new master takes new framework ids', async () => {
    const first = await client.subscribeOk(info);
    const restarted = mesos.restartMaster({ downForMs: 300, newMasterId: 'second-master' });
    const refused = await client.subscribe(info).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(503);
    expect((refused as HttpError).body).toBe('Master has not finished recovery');
    expect((await first.call({ type: 'REVIVE' })).status).toBe(503);
    expect((await rawRequest(`${mesos.url}/state`, { method: 'GET' })).status).toBe(503);
    await restarted;
    expect(mesos.masterId).toBe('second-master');
    // A framework without tasks is unknown to the new master: it is still accepted with its id.
    const again = await client.subscribeOk(info, { frameworkId: first.frameworkId });
    expect(again.frameworkId).toBe(first.frameworkId);
    const fresh = await client.subscribeOk(frameworkInfo());
    expect(fresh.frameworkId).toBe('second-master-0000');
    const state = mesos.state() as { id: string; frameworks: { id: string }[] };
    expect(state.id).toBe('second-master');
    expect(state.frameworks.map((f) => f.id).sort()).toEqual([first.frameworkId, 'second-master-0000'].sort());
  });

  it('resends unacknowledged updates, with their uuids, after the framework resubscribes', async () => {
    const first = await client.subscribeOk(info);
    await launch(first, (o) => [taskInfo('unacked', o, 'sleep 100')]);
    // STARTING stays unacknowledged, so RUNNING waits behind it on the agent.
    const starting = await first.update('unacked', 'TASK_STARTING');
    await eventually(() => taskRow('unacked')?.state === 'TASK_RUNNING', 5000, 'running on the agent');
    const pid = await pidOf('unacked');

    await mesos.restartMaster({ downForMs: 50 });
    const second = await client.subscribeOk(info, { frameworkId: first.frameworkId });
    const resent = await second.update('unacked');
    expect(resent.state).toBe('TASK_STARTING');
    expect(resent.uuid).toBe(starting.uuid);
    expect((await second.ack(resent)).status).toBe(202);
    const running = await second.update('unacked', 'TASK_RUNNING');
    expect(running.uuid).toBeDefined();
    expect(alive(pid)).toBe(true);
  });

  it('delivers updates a task produced while the master was down', async () => {
    const first = await client.subscribeOk(info);
    const pid = await runningTask(first, 'ends-while-down', 'while [ ! -e go ]; do sleep 0.02; done; exit 3');
    const sandbox = taskRow('ends-while-down')!.sandbox!;

    const restarted = mesos.restartMaster({ downForMs: 60_000 });
    await first.waitClosed(5000);
    fs.writeFileSync(path.join(sandbox, 'go'), '');
    await eventually(() => !alive(pid) && taskRow('ends-while-down')?.state === 'TASK_FAILED', 5000, 'task ended on the agent while down');
    expect(taskRow('ends-while-down')!.unacknowledged_updates).toBe(1);
    expect(mesos.master.restarting).toBe(true);
    mesos.endMasterDowntime();
    await restarted;

    const second = await client.subscribeOk(info, { frameworkId: first.frameworkId });
    const failed = await second.update('ends-while-down', 'TASK_FAILED');
    expect(failed.message).toContain('3');
    expect(failed.uuid).toBeDefined();
    expect((await second.ack(failed)).status).toBe(202);
    await eventually(() => taskRow('ends-while-down') === undefined, 5000, 'acknowledged terminal task forgotten');
  });
});

describe('POST /__local/master/restart', () => {
  let mesos: LocalMesos;
  beforeEach(async () => {
    mesos = await startFast();
  });
  afterEach(async () => {
    await mesos.stop();
  });

  it('restarts with the given id and answers once the new master is up', async () => {
    const previous = mesos.masterId;
    const r = await rawRequest(`${mesos.url}/__local/master/restart`, { body: JSON.stringify({ down_for_ms: 20, master_id: 'via-http' }) });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ id: 'via-http', previous_id: previous });
    expect(mesos.masterId).toBe('via-http');
    expect((await rawRequest(`${mesos.url}/state`, { method: 'GET' })).status).toBe(200);
  });

  it('rejects bad parameters', async () => {
    for (const body of [{ down_for_ms: -1 }, { down_for_ms: 'soon' }, { master_id: '' }, { master_id: 7 }]) {
      const r = await rawRequest(`${mesos.url}/__local/master/restart`, { body: JSON.stringify(body) });
      expect(r.status).toBe(400);
    }
    expect((await rawRequest(`${mesos.url}/__local/master/restart`, { method: 'GET' })).status).toBe(405);
  });
});
