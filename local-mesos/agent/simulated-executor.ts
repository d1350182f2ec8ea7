// Simulated agents (as Marathon's mesos-simulation): no processes. A launched task reports
// STARTING then RUNNING (or FAILED for the configured share); a kill reports KILLED. Updates go
// through the same status update manager, so the acknowledgement rules are the real ones.
import type { TaskInfoMsg } from '../codec/types';
import type { Task } from '../master/task';
import type { AgentUpdate, TaskExecutor, UpdateSink } from './agent';

// Updates are never mutated downstream, so every task shares these.
const STARTING: AgentUpdate = { state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' };
const FAILED: AgentUpdate = { state: 'TASK_FAILED', source: 'SOURCE_EXECUTOR', message: 'Command exited with status 1', reason: 'REASON_COMMAND_EXECUTOR_FAILED' };
const RUNNING: AgentUpdate = { state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' };
const RUNNING_HEALTHY: AgentUpdate = { state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', healthy: true };
const KILLING: AgentUpdate = { state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR' };
const KILLED: AgentUpdate = { state: 'TASK_KILLED', source: 'SOURCE_EXECUTOR', message: 'Command terminated with signal Terminated' };

export class SimulatedExecutor implements TaskExecutor {
  constructor(
    private readonly sink: UpdateSink,
    private readonly failureShare: number,
    private readonly random: () => number = Math.random,
  ) {}

  launch(task: Task, _info: TaskInfoMsg): void {
    this.sink.update(task, STARTING);
    if (this.failureShare > 0 && this.random() < this.failureShare) {
      this.sink.update(task, FAILED);
      return;
    }
    this.sink.update(task, task.hasHealthCheck ? RUNNING_HEALTHY : RUNNING);
  }

  kill(task: Task, _graceMs: number): void {
    if (task.state !== 'TASK_STARTING' && task.state !== 'TASK_RUNNING') return;
    if (task.fw.killingState) this.sink.update(task, KILLING);
    this.sink.update(task, KILLED);
  }

  async destroy(_task: Task): Promise<void> {
    // Nothing runs.
  }
}
