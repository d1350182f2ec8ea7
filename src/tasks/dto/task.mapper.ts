import { isActive, type MesosTaskState, type TaskFailure } from '../../core/instances/instance';
import { taskStateName, type TaskRecord } from '../../core/instances/task-view';

/**
 * Marathon's Task (EnrichedTask) with exactly its keys, in its order. Clients parse these strictly:
 * no `agentId` (it is `slaveId`), no `checkResult`; `region`, `zone` and `role` are left out (Marathon
 * omits them when unknown).
 */
export interface TaskJson {
  readonly appId: string;
  readonly healthCheckResults: readonly unknown[];
  readonly host: string;
  readonly id: string;
  readonly ipAddresses: readonly { readonly ipAddress: string; readonly protocol: 'IPv4' | 'IPv6' }[];
  readonly ports: readonly number[];
  readonly servicePorts: readonly number[];
  readonly slaveId?: string;
  readonly state: MesosTaskState;
  readonly stagedAt?: string;
  readonly startedAt?: string;
  readonly version?: string;
  readonly localVolumes: readonly unknown[];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * The task's addresses. Pacer keeps the agent's host, not the container's network info, so an
 * address is known only when the host is an IP literal; a hostname gives none.
 */
export function ipAddressesOf(host: string | undefined): TaskJson['ipAddresses'] {
  if (host === undefined) return [];
  if (IPV4.test(host)) return [{ ipAddress: host, protocol: 'IPv4' }];
  if (host.includes(':') && /^[0-9A-Fa-f:.]+$/.test(host)) return [{ ipAddress: host, protocol: 'IPv6' }];
  return [];
}

/**
 * The app's service ports, made at least as long as the task's host ports (clients pair them by
 * index); a missing service port is 0, Marathon's "none".
 */
export function servicePortsFor(servicePorts: readonly number[], hostPorts: readonly number[]): number[] {
  if (servicePorts.length >= hostPorts.length) return [...servicePorts];
  return [...servicePorts, ...new Array<number>(hostPorts.length - servicePorts.length).fill(0)];
}

/**
 * An instance's task as Marathon shows it (`EnrichedTaskConversion`). `servicePorts` are the current
 * app definition's; `healthCheckResults` are the Pacer-side checks' results the record carries
 * (InstanceStore joins them from `instance_health`), in check order. A task that is over (terminal)
 * has no ports, stagedAt, startedAt or version, as in Marathon. Only for instances that have a task
 * (`hasTask`).
 *
 * | instance state          | state shown      |
 * |-------------------------|------------------|
 * | provisioned             | TASK_STAGING     |
 * | TASK_*                  | as stored        |
 * | TASK_GONE_BY_OPERATOR   | TASK_GONE        |
 * | unreachable-inactive    | TASK_UNREACHABLE |
 */
export function taskJson(instance: TaskRecord, servicePorts: readonly number[]): TaskJson {
  if (instance.taskId === undefined) throw new Error(`instance ${instance.instanceId} has no task`);
  const active = isActive(instance) || instance.state === 'unreachable-inactive';
  const ports = active ? instance.hostPorts : [];
  return {
    appId: instance.appId,
    healthCheckResults: instance.healthCheckResults ?? [],
    host: instance.host ?? '',
    id: instance.taskId,
    ipAddresses: ipAddressesOf(instance.host),
    ports,
    servicePorts: servicePortsFor(servicePorts, ports),
    ...(instance.agentId !== undefined ? { slaveId: instance.agentId } : {}),
    state: taskStateName(instance.state),
    ...(active && instance.stagedAt !== undefined ? { stagedAt: instance.stagedAt } : {}),
    ...(active && instance.startedAt !== undefined ? { startedAt: instance.startedAt } : {}),
    ...(active ? { version: instance.appVersion } : {}),
    localVolumes: [],
  };
}

/** Marathon's lastTaskFailure, with exactly its keys (whatever else a stored record carries). */
export function taskFailureJson(f: TaskFailure): Record<string, string> {
  return {
    appId: f.appId,
    host: f.host,
    message: f.message,
    state: f.state,
    taskId: f.taskId,
    timestamp: f.timestamp,
    version: f.version,
    ...(f.slaveId !== undefined ? { slaveId: f.slaveId } : {}),
  };
}
