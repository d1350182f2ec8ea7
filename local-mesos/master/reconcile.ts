// RECONCILE (and KILL of an unknown task) answered as the master does (reference §4.2): master-made
// updates, source MASTER, reason RECONCILIATION, no uuid.
import type { Framework } from './framework';
import type { Master } from './master';
import type { Task } from './task';

export interface ReconcileTask {
  task_id: { value: string };
  agent_id?: { value: string };
}

export function reconcile(master: Master, fw: Framework, tasks: ReconcileTask[]): void {
  if (tasks.length === 0) {
    // Implicit: the latest state of every task the master knows for this framework.
    for (const task of fw.tasks.values()) answerKnown(master, fw, task);
    return;
  }
  for (const t of tasks) {
    const task = fw.tasks.get(t.task_id.value);
    if (task) answerKnown(master, fw, task);
    else answerUnknown(master, fw, t);
  }
}

function answerKnown(master: Master, fw: Framework, task: Task): void {
  const behindPartition = !task.agent.active;
  master.sendMasterUpdate(fw, {
    taskId: task.id,
    state: behindPartition ? 'TASK_UNREACHABLE' : task.state,
    reason: 'REASON_RECONCILIATION',
    agentId: task.agent.id,
    healthy: task.healthy,
    message: 'Reconciliation: Latest task state',
    unreachableSince: behindPartition ? task.agent.unreachableSince : undefined,
  });
}

function answerUnknown(master: Master, fw: Framework, t: ReconcileTask): void {
  const agentId = t.agent_id?.value;
  const agent = agentId !== undefined ? master.agentsById.get(agentId) : undefined;
  const base = { taskId: t.task_id.value, reason: 'REASON_RECONCILIATION', agentId };
  if (!agent) {
    master.sendMasterUpdate(fw, { ...base, state: 'TASK_UNKNOWN', message: 'Reconciliation: Task is unknown' });
  } else if (agent.active) {
    master.sendMasterUpdate(fw, { ...base, state: 'TASK_GONE', message: 'Reconciliation: Task is unknown to the agent' });
  } else {
    master.sendMasterUpdate(fw, {
      ...base, state: 'TASK_UNREACHABLE', message: 'Reconciliation: Task is unreachable', unreachableSince: agent.unreachableSince,
    });
  }
}
