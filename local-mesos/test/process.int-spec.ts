// Tasks as real processes: exit codes, kills with grace, SIGKILL of stubborn tasks, whole process
// groups, sandboxes, environment and ports.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { LocalMesos } from '../index';
import { eventually, frameworkInfo, SchedulerClient, type EventStream } from '../testing/client';
import { acceptCall, alive, ENCODINGS, hasPorts, launch, nextOffer, portsOf, startFast, taskInfo, untilState } from './harness';

jest.setTimeout(15_000);

describe.each(ENCODINGS)('task processes (%s)', (encoding) => {
  let mesos: LocalMesos;
  let client: SchedulerClient;
  let stream: EventStream;

  beforeAll(async () => {
    mesos = await startFast({ agents: 1, agentDefaults: { cpus: 16, mem: 16384 } });
    client = new SchedulerClient(mesos.url, encoding);
    stream = await client.subscribeOk(frameworkInfo({ failover_timeout: 60 }));
  });
  afterAll(async () => {
    client.close();
    await mesos.stop();
  });

  const taskPid = async (id: string): Promise<number> =>
    eventually(() => (mesos.state().tasks as { id: string; pid?: number }[]).find((t) => t.id === id)?.pid, 5000, `pid of ${id}`);

  const sandboxOf = (taskId: string): string => {
    const base = path.join(mesos.workDir, 'slaves', mesos.agentIds[0], 'frameworks', stream.frameworkId!, 'executors', taskId, 'runs');
    return path.join(base, fs.readdirSync(base)[0]);
  };

  it('exit 0 ⇒ TASK_FINISHED; exit 3 ⇒ TASK_FAILED with the code in the message', async () => {
    await launch(stream, (o) => [taskInfo('ok', o, 'exit 0'), taskInfo('three', o, 'echo out; echo err >&2; exit 3')]);
    expect((await untilState(stream, 'ok', 'TASK_FINISHED')).message).toBe('Command exited with status 0');
    const failed = await untilState(stream, 'three', 'TASK_FAILED');
    expect(failed.message).toBe('Command exited with status 3');
    const sandbox = sandboxOf('three');
    expect(fs.readFileSync(path.join(sandbox, 'stdout'), 'utf8')).toBe('out\n');
    expect(fs.readFileSync(path.join(sandbox, 'stderr'), 'utf8')).toBe('err\n');
  });

  it('reports STARTING, RUNNING, KILLING and KILLED for a task that stops within its grace', async () => {
    // A grace far beyond the test's deadline: reaching KILLED at all means it stopped on SIGTERM.
    await launch(stream, (o) => [taskInfo('polite', o, "trap 'exit 0' TERM; sleep 100 & wait", { graceSeconds: 100 })]);
    await untilState(stream, 'polite', 'TASK_RUNNING');
    const pid = await taskPid('polite');
    await stream.call({ type: 'KILL', kill: { task_id: { value: 'polite' } } });
    await untilState(stream, 'polite', 'TASK_KILLING');
    const killed = await untilState(stream, 'polite', 'TASK_KILLED');
    expect(killed.message).not.toBe('Command terminated with signal Killed');
    await eventually(() => !alive(-pid), 5000, 'group gone');
  });

  it('SIGKILLs a task that ignores SIGTERM after the grace period', async () => {
    await launch(stream, (o) => [taskInfo('stubborn', o, "trap '' TERM; touch trapped; while true; do sleep 0.05; done", { graceSeconds: 0.4 })]);
    await untilState(stream, 'stubborn', 'TASK_RUNNING');
    const pid = await taskPid('stubborn');
    // RUNNING is reported when the process spawns, before the shell has run `trap`: wait for it.
    await eventually(() => fs.existsSync(path.join(sandboxOf('stubborn'), 'trapped')), 5000, 'trap installed');
    const t0 = Date.now();
    await stream.call({ type: 'KILL', kill: { task_id: { value: 'stubborn' } } });
    const killed = await untilState(stream, 'stubborn', 'TASK_KILLED');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    expect(killed.message).toBe('Command terminated with signal Killed');
    await eventually(() => !alive(-pid), 5000, 'group gone');
  });

  it('KILL kill_policy overrides the task grace', async () => {
    await launch(stream, (o) => [taskInfo('override', o, "trap '' TERM; touch trapped; while true; do sleep 0.05; done", { graceSeconds: 100 })]);
    await untilState(stream, 'override', 'TASK_RUNNING');
    await eventually(() => fs.existsSync(path.join(sandboxOf('override'), 'trapped')), 5000, 'trap installed');
    await stream.call({ type: 'KILL', kill: { task_id: { value: 'override' }, kill_policy: { grace_period: { nanoseconds: 0.1e9 } } } });
    await untilState(stream, 'override', 'TASK_KILLED');
  });

  it('leaves no forked child behind, whether killed or exiting on its own', async () => {
    await launch(stream, (o) => [
      taskInfo('forker', o, 'sleep 1000 & echo $! > child.pid; sleep 1000 & wait'),
      taskInfo('leaver', o, '(sleep 1000 & echo $! > child.pid); exit 0'),
    ]);
    await untilState(stream, 'forker', 'TASK_RUNNING');
    const forkerChild = await eventually(() => Number(fs.readFileSync(path.join(sandboxOf('forker'), 'child.pid'), 'utf8')), 5000, 'child pid');
    const leaverSandbox = await eventually(() => sandboxOf('leaver'), 5000, 'sandbox');
    await untilState(stream, 'leaver', 'TASK_FINISHED');
    const leaverChild = Number(fs.readFileSync(path.join(leaverSandbox, 'child.pid'), 'utf8'));
    await eventually(() => !alive(leaverChild), 3000, 'orphan of a finished task killed');
    expect(alive(forkerChild)).toBe(true);
    await stream.call({ type: 'KILL', kill: { task_id: { value: 'forker' } } });
    await untilState(stream, 'forker', 'TASK_KILLED');
    await eventually(() => !alive(forkerChild), 3000, 'children of a killed task gone');
  });

  it('runs shell=false commands with arguments, in the sandbox, with CommandInfo and Mesos environment', async () => {
    await launch(stream, (o) => [taskInfo('exec', o, '/usr/bin/env', { shell: false, args: ['env'], env: { FOO: 'bar baz' } })]);
    await untilState(stream, 'exec', 'TASK_FINISHED');
    const sandbox = sandboxOf('exec');
    const env = fs.readFileSync(path.join(sandbox, 'stdout'), 'utf8');
    expect(env).toContain('FOO=bar baz\n');
    expect(env).toContain(`MESOS_SANDBOX=${sandbox}\n`);
    expect(env).toContain('MESOS_TASK_ID=exec\n');
    expect(env).toContain('MESOS_EXECUTOR_ID=exec\n');
    expect(env).toContain(`MESOS_FRAMEWORK_ID=${stream.frameworkId}\n`);
    expect(env).toContain('MESOS_AGENT_ENDPOINT=127.0.0.1:5051\n');
  });

  it('a missing executable fails the task', async () => {
    await launch(stream, (o) => [taskInfo('missing', o, '/no/such/binary', { shell: false, args: ['x'] })]);
    const failed = await untilState(stream, 'missing', 'TASK_FAILED');
    expect(failed.message).toMatch(/Failed to launch/);
  });

  it('gives a task the ports from its resources; they are not offered while it runs', async () => {
    const offer = await nextOffer(stream, undefined, 5000, hasPorts);
    const [port] = portsOf(offer);
    const server = "require('net').createServer((s)=>s.end('hi')).listen(Number(process.env.PORT0),'127.0.0.1')";
    await stream.call(acceptCall([offer.id.value], [taskInfo('ported', offer, `exec node -e "${server}"`, { ports: [[port, port]], env: { PORT0: String(port) } })], 0));
    await untilState(stream, 'ported', 'TASK_RUNNING');
    const reply = await eventually(
      () =>
        new Promise<string>((resolve) => {
          const sock = net.connect(port, '127.0.0.1');
          let data = '';
          sock.on('data', (d) => (data += d.toString()));
          sock.on('end', () => resolve(data));
          sock.on('error', () => resolve(''));
        }),
      15_000, // a node process starting on a loaded 2-core machine
      'task listening on its port',
    );
    expect(reply).toBe('hi');
    const task = (mesos.state().tasks as { id: string; resources: { ports: string } }[]).find((t) => t.id === 'ported')!;
    expect(task.resources.ports).toBe(`[${port}-${port}]`);
    const agent = (mesos.state().agents as { used_resources: { ports: string }; offered_resources: { ports: string }; free_resources: { ports: string } }[])[0];
    expect(agent.used_resources.ports).toContain(`${port}-${port}`);
    expect(agent.offered_resources.ports).not.toContain(`${port}-`);
    expect(agent.free_resources.ports).not.toContain(`${port}-`);
    await stream.call({ type: 'KILL', kill: { task_id: { value: 'ported' } } });
    await untilState(stream, 'ported', 'TASK_KILLED');
  });

  it('fails a task that exceeds max_completion_time', async () => {
    await launch(stream, (o) => [taskInfo('slow', o, 'sleep 100', { maxCompletionSeconds: 0.2 })]);
    const failed = await untilState(stream, 'slow', 'TASK_FAILED');
    expect(failed.reason).toBe('REASON_MAX_COMPLETION_TIME_REACHED');
  });
});
