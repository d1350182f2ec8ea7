// The command executor: runs a task's CommandInfo as a real child process in its own sandbox and
// process group, reports STARTING → RUNNING → FINISHED/FAILED/KILLED, and kills with
// SIGTERM → grace → SIGKILL on the whole group so that forked children never survive.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { constants as osConstants } from 'node:os';
import type { CommandInfoMsg, TaskInfoMsg } from '../codec/types';
import type { Task } from '../master/task';
import type { Agent, TaskExecutor, UpdateSink } from './agent';
import { HealthChecker } from './health-check';

interface Runtime {
  task: Task;
  info: TaskInfoMsg;
  sandbox: string;
  child: ChildProcess | null;
  pid: number | undefined;
  /** Why we are stopping it: request (KILLED), health (KILLED, unhealthy), deadline (FAILED). */
  killReason: 'request' | 'health' | 'deadline' | null;
  graceTimer: NodeJS.Timeout | null;
  deadlineTimer: NodeJS.Timeout | null;
  health: HealthChecker | null;
  exited: Promise<void>;
  markExited: () => void;
  silent: boolean;
}

export interface ProcessExecutorOptions {
  workDir: string;
  log: (line: string) => void;
}

const signalName = (sig: NodeJS.Signals | null): string => {
  if (!sig) return 'unknown';
  const names: Record<string, string> = { SIGTERM: 'Terminated', SIGKILL: 'Killed', SIGINT: 'Interrupt', SIGSEGV: 'Segmentation fault', SIGABRT: 'Aborted' };
  return names[sig] ?? sig;
};

export class ProcessExecutor implements TaskExecutor {
  private readonly runtimes = new Map<Task, Runtime>();

  constructor(
    private readonly agent: Agent,
    private readonly sink: UpdateSink,
    private readonly opts: ProcessExecutorOptions,
  ) {}

  pid(task: Task): number | undefined {
    return this.runtimes.get(task)?.pid;
  }
  sandbox(task: Task): string | undefined {
    return this.runtimes.get(task)?.sandbox;
  }

  launch(task: Task, info: TaskInfoMsg): void {
    const sandbox = path.join(
      this.opts.workDir, 'slaves', this.agent.id, 'frameworks', task.fw.id, 'executors', task.id, 'runs', randomUUID(),
    );
    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const rt: Runtime = {
      task, info, sandbox, child: null, pid: undefined, killReason: null, graceTimer: null, deadlineTimer: null,
      health: null, exited, markExited, silent: false,
    };
    this.runtimes.set(task, rt);
    this.sink.update(task, { state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' });
    try {
      fs.mkdirSync(sandbox, { recursive: true });
      this.spawnTask(rt, info.command ?? {});
    } catch (e) {
      this.finish(rt, { state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: `Failed to launch: ${(e as Error).message}` });
    }
  }

  private spawnTask(rt: Runtime, cmd: CommandInfoMsg): void {
    const out = fs.openSync(path.join(rt.sandbox, 'stdout'), 'a');
    const err = fs.openSync(path.join(rt.sandbox, 'stderr'), 'a');
    const env = this.environment(rt, cmd);
    const shell = cmd.shell !== false;
    const file = shell ? '/bin/sh' : (cmd.value ?? '');
    const args = shell ? ['-c', cmd.value ?? ''] : (cmd.arguments ?? []).slice(1);
    const argv0 = shell ? 'sh' : (cmd.arguments?.[0] ?? file);
    let child: ChildProcess;
    try {
      // detached ⇒ own process group, so kill(-pid) reaches every descendant.
      child = spawn(file, args, { cwd: rt.sandbox, env, detached: true, stdio: ['ignore', out, err], argv0 });
    } finally {
      fs.closeSync(out);
      fs.closeSync(err);
    }
    rt.child = child;
    child.once('spawn', () => this.onSpawn(rt, child));
    child.once('error', (e) => {
      if (rt.pid === undefined) this.finish(rt, { state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: `Failed to launch: ${e.message}` });
    });
    child.once('exit', (code, signal) => this.onExit(rt, code, signal));
  }

  private onSpawn(rt: Runtime, child: ChildProcess): void {
    rt.pid = child.pid;
    if (rt.killReason) {
      // KILL arrived between STARTING and the spawn completing.
      this.signalGroup(rt, 'SIGKILL');
      return;
    }
    this.sink.update(rt.task, { state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
    const max = rt.info.max_completion_time?.nanoseconds;
    if (max !== undefined) rt.deadlineTimer = setTimeout(() => this.stop(rt, 'deadline', 0), max / 1e6);
    const hc = rt.info.health_check;
    if (hc && hc.type !== 'UNKNOWN') {
      rt.health = new HealthChecker(hc, { cwd: rt.sandbox, env: this.environment(rt, hc.command ?? {}) }, {
        report: (healthy) => this.sink.update(rt.task, { state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', healthy, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' }),
        kill: () => this.stop(rt, 'health', this.graceMsFor(rt)),
      });
      rt.health.start();
    }
  }

  private onExit(rt: Runtime, code: number | null, signal: NodeJS.Signals | null): void {
    // Reap anything the task forked and left behind in its group.
    this.signalGroup(rt, 'SIGKILL');
    const message = code !== null ? `Command exited with status ${code}` : `Command terminated with signal ${signalName(signal)}`;
    if (rt.killReason === 'request') this.finish(rt, { state: 'TASK_KILLED', message });
    else if (rt.killReason === 'health') this.finish(rt, { state: 'TASK_KILLED', message, healthy: false, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' });
    else if (rt.killReason === 'deadline') this.finish(rt, { state: 'TASK_FAILED', message: 'Task exceeded its max completion time', reason: 'REASON_MAX_COMPLETION_TIME_REACHED' });
    else if (code === 0) this.finish(rt, { state: 'TASK_FINISHED', message });
    else this.finish(rt, { state: 'TASK_FAILED', message, reason: 'REASON_COMMAND_EXECUTOR_FAILED' });
  }

  private finish(rt: Runtime, u: { state: 'TASK_FINISHED' | 'TASK_FAILED' | 'TASK_KILLED'; message?: string; reason?: string; healthy?: boolean }): void {
    if (!this.runtimes.has(rt.task)) return;
    this.runtimes.delete(rt.task);
    for (const t of [rt.graceTimer, rt.deadlineTimer]) if (t) clearTimeout(t);
    rt.health?.stop();
    rt.markExited();
    if (!rt.silent) this.sink.update(rt.task, { source: 'SOURCE_EXECUTOR', ...u });
  }

  kill(task: Task, graceMs: number): void {
    const rt = this.runtimes.get(task);
    if (!rt || rt.killReason === 'request') return;
    this.stop(rt, 'request', graceMs);
  }

  private stop(rt: Runtime, reason: 'request' | 'health' | 'deadline', graceMs: number): void {
    rt.killReason = reason;
    rt.health?.stop();
    if (rt.task.fw.killingState && !rt.silent) this.sink.update(rt.task, { state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR' });
    if (rt.pid === undefined) return; // onSpawn will SIGKILL it; 'error' will finish it.
    this.signalGroup(rt, graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
    if (graceMs > 0) rt.graceTimer = setTimeout(() => this.signalGroup(rt, 'SIGKILL'), graceMs);
  }

  async destroy(task: Task): Promise<void> {
    const rt = this.runtimes.get(task);
    if (!rt) return;
    rt.silent = true;
    rt.killReason = 'request';
    rt.health?.stop();
    if (rt.pid === undefined && rt.child === null) this.finish(rt, { state: 'TASK_KILLED' });
    else this.signalGroup(rt, 'SIGKILL');
    // Bounded wait: a process in uninterruptible sleep must not hang shutdown.
    await Promise.race([rt.exited, new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  private graceMsFor(rt: Runtime): number {
    const ns = rt.info.kill_policy?.grace_period?.nanoseconds;
    return ns !== undefined ? ns / 1e6 : 3000;
  }

  private signalGroup(rt: Runtime, sig: 'SIGTERM' | 'SIGKILL'): void {
    if (rt.pid === undefined) return;
    try {
      process.kill(-rt.pid, osConstants.signals[sig]);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private environment(rt: Runtime, cmd: CommandInfoMsg): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MESOS_SANDBOX: rt.sandbox,
      MESOS_DIRECTORY: rt.sandbox,
      MESOS_TASK_ID: rt.task.id,
      MESOS_FRAMEWORK_ID: rt.task.fw.id,
      MESOS_EXECUTOR_ID: rt.task.id,
      MESOS_AGENT_ID: this.agent.id,
      MESOS_SLAVE_ID: this.agent.id,
      MESOS_AGENT_ENDPOINT: this.agent.endpoint,
      MESOS_SLAVE_PID: `slave(1)@${this.agent.endpoint}`,
      MESOS_CONTAINER_NAME: `mesos-${rt.task.id}`,
      MESOS_CHECKPOINT: rt.task.fw.info.checkpoint ? '1' : '0',
    };
    for (const v of cmd.environment?.variables ?? []) {
      if (v.type === undefined || v.type === 'VALUE') env[v.name] = v.value ?? '';
    }
    return env;
  }
}
