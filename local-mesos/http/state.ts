// GET /state: frameworks, agents (total/used/offered/free resources) and tasks with their states.
import type { Master } from '../master/master';
import { pendingCount, type Task } from '../master/task';

export function taskState(master: Master, task: Task): Record<string, unknown> {
  return {
    id: task.id,
    name: task.name,
    framework_id: task.fw.id,
    agent_id: task.agent.id,
    state: task.agent.active ? task.state : 'TASK_UNREACHABLE',
    healthy: task.healthy,
    resources: task.res.toJSON(),
    unacknowledged_updates: pendingCount(task.pending),
    /** Current resend backoff of the unacknowledged head (doubles on every resend), if any. */
    status_update_backoff_ms: task.pending?.backoffMs,
    pid: task.agent.executor.pid?.(task),
    sandbox: task.agent.executor.sandbox?.(task),
  };
}

export function masterState(master: Master, opts: { tasks?: boolean } = {}): Record<string, unknown> {
  const includeTasks = opts.tasks ?? true;
  const frameworks = [...master.frameworks.values()].map((fw) => ({
    id: fw.id,
    name: fw.info.name,
    user: fw.info.user,
    connected: fw.connected,
    active: fw.connected,
    roles: fw.roles,
    suppressed_roles: [...fw.suppressed],
    capabilities: [...fw.capabilities],
    failover_timeout: fw.info.failover_timeout ?? 0,
    registered_time: fw.registeredAt / 1000,
    task_count: fw.tasks.size,
    offers: [...fw.offers].map((o) => ({ id: o.id, agent_id: o.agent.id, role: o.role, resources: o.res.toJSON() })),
  }));
  const agents = master.agents.map((a) => ({
    id: a.id,
    hostname: a.hostname,
    port: a.spec.port,
    active: a.active,
    state: a.active ? 'active' : a.stopMode === 'partition' ? 'partitioned' : 'stopped',
    attributes: a.spec.attributes,
    resources: a.total.toJSON(),
    used_resources: a.used.toJSON(),
    offered_resources: a.offered.toJSON(),
    free_resources: a.free().toJSON(),
    task_count: a.tasks.size,
  }));
  const state: Record<string, unknown> = {
    id: master.id,
    version: master.masterInfo().version,
    mode: master.mode.kind,
    simulate: master.settings.simulate,
    master_info: master.masterInfo(),
    frameworks,
    removed_frameworks: [...master.removedFrameworks],
    agents,
    task_count: master.agents.reduce((n, a) => n + a.tasks.size, 0),
    pending_status_updates: master.updates.pendingCount,
  };
  if (includeTasks) {
    const tasks: Record<string, unknown>[] = [];
    for (const agent of master.agents) for (const t of agent.tasks) tasks.push(taskState(master, t));
    state.tasks = tasks;
    state.completed_tasks = master.completed.slice(-100);
  }
  return state;
}
