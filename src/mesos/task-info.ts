/**
 * The TaskInfo Marathon 1.10 sends for one app instance (`mesos/TaskBuilder.scala` `build` /
 * `commandInfo`, `mesos/PortDiscovery.scala`, `core/health/HealthCheck.scala` `toMesos`), in the
 * driver's JSON shape (types.ts). Pure: everything random or offer-specific is an input.
 *
 *   name           app id segments reversed, joined by "." (`PathId.toHostname`): /prod/web/api → api.web.prod
 *   resources      exactly the matcher's allocation: one Resource per (name, role), ports as ranges,
 *                  each with `allocation_info.role` (Pacer subscribes as MULTI_ROLE)
 *   command        cmd → shell command (value = cmd); args → shell=false, arguments = args and, without a
 *                  container, value = args[0] (the command executor execs `value`); neither → shell=false;
 *                  user when set; uris from `fetch` (extract, executable, cache set explicitly,
 *                  output_file = destPath when given); environment = `taskEnv` (insertion order)
 *   labels         the app labels, only when there are some
 *   kill_policy    grace_period = taskKillGracePeriodSeconds in nanoseconds, only when set
 *   discovery      always: visibility FRAMEWORK, name as above, ports (possibly none):
 *                  - host networking: one Port per portDefinition and per protocol of it ("udp,tcp" gives
 *                    two), number = the allocated host port, name and labels when set;
 *                  - container/bridge networking: one Port per portMapping (protocol kept unsplit), number
 *                    = its host port, or its container port when it has none, labels = the mapping's labels
 *                    plus `network-scope` = `host` | `container` accordingly
 *   health_check   the first Mesos-side check (MESOS_HTTP, MESOS_HTTPS, MESOS_TCP, COMMAND) whose port
 *                  resolves; Marathon-side checks (HTTP, HTTPS, TCP) never go to Mesos. Port: `port` when
 *                  given, else the port at `portIndex`: its container port with port mappings (the check
 *                  runs in the task's network namespace; a container port 0 means the host port), else
 *                  the allocated host port. HTTP checks carry scheme http|https and the path when set;
 *                  IPv6 checks carry protocol IPv6 (IPv4 is Mesos' default and left out).
 *
 * Not built here (callers add them): `container` (Docker/UCR ContainerInfo, network infos) and custom
 * executors (`app.executor` other than "" / "//cmd"); dynamically reserved resources (Launch carries a
 * role, not the ReservationInfo) and persistent volumes.
 */
import type { AppDefinition, ContainerPortMapping, HealthCheck as AppHealthCheck, Labels as AppLabels } from '../core/apps';
import { idSegments } from '../core/apps/path-id';
import { taskEnv } from '../core/instances/task-env';
import type { AllocatedResource, Launch } from '../core/matching';
import type { CommandInfo, HealthCheck, Label, Resource, TaskInfo } from './types';

export type Visibility = 'FRAMEWORK' | 'CLUSTER' | 'EXTERNAL';

export type MesosLabels = { readonly labels?: readonly Label[] };

export type DiscoveryPort = {
  readonly number: number;
  readonly name?: string;
  readonly protocol?: string;
  readonly visibility?: Visibility;
  readonly labels?: MesosLabels;
};

export type DiscoveryInfo = {
  readonly visibility: Visibility;
  readonly name?: string;
  readonly ports?: { readonly ports?: readonly DiscoveryPort[] };
  readonly labels?: MesosLabels;
};

/** What buildTaskInfo returns: a driver TaskInfo whose command and discovery are always set. */
export type BuiltTaskInfo = TaskInfo & { readonly command: CommandInfo; readonly discovery: DiscoveryInfo };

export interface TaskInfoInput {
  readonly app: AppDefinition;
  readonly taskId: string;
  /** the offer's agent */
  readonly agentId: string;
  /** the offer's hostname (HOST) */
  readonly hostname: string;
  /** what the matcher allocated to this task */
  readonly launch: Launch;
  /**
   * The role the offer was allocated to (Offer.allocation_info.role), copied to every resource's
   * `allocation_info`. Default: the app's role when a resource is reserved for it, else `app.role ?? '*'`.
   */
  readonly allocationRole?: string;
  /** Marathon `--env_vars_prefix` (see taskEnv) */
  readonly envVarsPrefix?: string;
  /** see taskEnv: container ports for mappings with containerPort 0 and no host port */
  readonly pickPort?: (used: ReadonlySet<number>) => number;
}

const NETWORK_SCOPE = 'network-scope';
const MESOS_SIDE = new Set<AppHealthCheck['protocol']>(['MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP', 'COMMAND']);

/** `/prod/web/api` → `api.web.prod` (Marathon `PathId.toHostname`). */
export function taskName(appId: string): string {
  return [...idSegments(appId)].reverse().join('.');
}

function hasNonHostNetworking(app: AppDefinition): boolean {
  return app.networks.some((n) => n.mode !== 'host');
}

/** The port mappings that count (Marathon uses `container.portMappings` only when non-empty). */
function portMappings(app: AppDefinition): readonly ContainerPortMapping[] | undefined {
  const mappings = app.container?.portMappings;
  return mappings !== undefined && mappings.length > 0 ? mappings : undefined;
}

/**
 * Host port per declared port (portMappings when there are some, else portDefinitions), aligned with
 * them: undefined for a mapping without a host port. `launch.hostPorts` lists only requested host ports.
 */
export function alignedHostPorts(app: AppDefinition, hostPorts: readonly number[]): (number | undefined)[] {
  const mappings = portMappings(app);
  let next = 0;
  if (mappings !== undefined) return mappings.map((m) => (m.hostPort === undefined ? undefined : hostPorts[next++]));
  return (app.portDefinitions ?? []).map(() => hostPorts[next++]);
}

function toLabels(labels: AppLabels | undefined): MesosLabels | undefined {
  if (labels === undefined) return undefined;
  const entries = Object.entries(labels);
  return entries.length === 0 ? undefined : { labels: entries.map(([key, value]) => ({ key, value })) };
}

function toResource(r: AllocatedResource, allocationRole: string): Resource {
  const common = { name: r.name, role: r.role, allocation_info: { role: allocationRole } };
  if (r.ranges !== undefined) {
    return { ...common, type: 'RANGES', ranges: { range: r.ranges.map(({ begin, end }) => ({ begin, end })) } };
  }
  return { ...common, type: 'SCALAR', scalar: { value: r.scalar ?? 0 } };
}

function commandInfo(input: TaskInfoInput, hostPorts: readonly (number | undefined)[]): CommandInfo {
  const { app } = input;
  const env = taskEnv({
    app,
    taskId: input.taskId,
    host: input.hostname,
    hostPorts,
    ...(input.envVarsPrefix !== undefined ? { envVarsPrefix: input.envVarsPrefix } : {}),
    ...(input.pickPort !== undefined ? { pickPort: input.pickPort } : {}),
  });
  const args = app.args ?? [];
  const cmd = app.cmd !== undefined && app.cmd.length > 0 ? app.cmd : undefined;
  let shellPart: Pick<CommandInfo, 'value' | 'shell' | 'arguments'>;
  if (args.length > 0) {
    const first = app.container === undefined ? args[0] : undefined;
    shellPart = { ...(first !== undefined ? { value: first } : {}), shell: false, arguments: [...args] };
  } else if (cmd !== undefined) {
    shellPart = { value: cmd };
  } else {
    shellPart = { shell: false };
  }
  const uris = app.fetch.map((f) => ({
    value: f.uri,
    executable: f.executable,
    extract: f.extract,
    cache: f.cache,
    ...(f.destPath !== undefined ? { output_file: f.destPath } : {}),
  }));
  return {
    ...(uris.length > 0 ? { uris } : {}),
    environment: { variables: Object.entries(env).map(([name, value]) => ({ name, value })) },
    ...shellPart,
    ...(app.user !== undefined ? { user: app.user } : {}),
  };
}

function discoveryPorts(app: AppDefinition, hostPorts: readonly (number | undefined)[]): DiscoveryPort[] {
  const named = (name: string | undefined): { name?: string } => (name !== undefined ? { name } : {});
  if (hasNonHostNetworking(app)) {
    const mappings = portMappings(app) ?? [];
    return mappings.map((m, i) => {
      const hostPort = hostPorts[i];
      const scope = hostPort !== undefined ? 'host' : 'container';
      const labels = toLabels({ ...m.labels, [NETWORK_SCOPE]: scope });
      return { number: hostPort ?? m.containerPort, protocol: m.protocol, ...named(m.name), ...(labels ? { labels } : {}) };
    });
  }
  const ports: DiscoveryPort[] = [];
  (app.portDefinitions ?? []).forEach((d, i) => {
    const hostPort = hostPorts[i];
    if (hostPort === undefined) return;
    const labels = toLabels(d.labels);
    for (const protocol of d.protocol.split(',')) {
      ports.push({ number: hostPort, protocol, ...named(d.name), ...(labels ? { labels } : {}) });
    }
  });
  return ports;
}

/** The port a Mesos-side check probes, or undefined when it cannot be resolved (the check is dropped). */
export function healthCheckPort(app: AppDefinition, check: AppHealthCheck, hostPorts: readonly (number | undefined)[]): number | undefined {
  if (check.port !== undefined) return check.port;
  if (check.portIndex === undefined) return undefined;
  const mapping = portMappings(app)?.[check.portIndex];
  const hostPort = hostPorts[check.portIndex];
  if (mapping !== undefined && mapping.containerPort !== 0) return mapping.containerPort;
  return hostPort;
}

/** One app health check as Mesos runs it, or undefined for Marathon-side checks / unresolved ports. */
export function mesosHealthCheck(app: AppDefinition, check: AppHealthCheck, hostPorts: readonly (number | undefined)[]): HealthCheck | undefined {
  if (!MESOS_SIDE.has(check.protocol)) return undefined;
  const timing = {
    delay_seconds: check.delaySeconds,
    interval_seconds: check.intervalSeconds,
    timeout_seconds: check.timeoutSeconds,
    consecutive_failures: check.maxConsecutiveFailures,
    grace_period_seconds: check.gracePeriodSeconds,
  };
  if (check.protocol === 'COMMAND') {
    if (check.command === undefined) return undefined;
    return { type: 'COMMAND', command: { value: check.command.value }, ...timing };
  }
  const port = healthCheckPort(app, check, hostPorts);
  if (port === undefined) return undefined;
  const ip = check.ipProtocol === 'IPv6' ? { protocol: 'IPv6' as const } : {};
  if (check.protocol === 'MESOS_TCP') return { type: 'TCP', tcp: { port, ...ip }, ...timing };
  const scheme = check.protocol === 'MESOS_HTTPS' ? 'https' : 'http';
  return { type: 'HTTP', http: { port, ...(check.path !== undefined ? { path: check.path } : {}), scheme, ...ip }, ...timing };
}

function defaultAllocationRole(input: TaskInfoInput): string {
  const reserved = input.launch.resources.find((r) => r.role !== '*');
  return reserved?.role ?? input.app.role ?? '*';
}

export function buildTaskInfo(input: TaskInfoInput): BuiltTaskInfo {
  const { app, launch } = input;
  const hostPorts = alignedHostPorts(app, launch.hostPorts);
  const allocationRole = input.allocationRole ?? defaultAllocationRole(input);
  const name = taskName(app.id);
  const labels = toLabels(app.labels);
  const grace = app.taskKillGracePeriodSeconds;
  const healthCheck = app.healthChecks.map((c) => mesosHealthCheck(app, c, hostPorts)).find((c) => c !== undefined);
  return {
    name,
    task_id: { value: input.taskId },
    agent_id: { value: input.agentId },
    resources: launch.resources.map((r) => toResource(r, allocationRole)),
    command: commandInfo(input, hostPorts),
    ...(healthCheck !== undefined ? { health_check: healthCheck } : {}),
    ...(labels !== undefined ? { labels } : {}),
    discovery: { visibility: 'FRAMEWORK', name, ports: { ports: discoveryPorts(app, hostPorts) } },
    ...(grace !== undefined ? { kill_policy: { grace_period: { nanoseconds: Math.round(grace * 1e9) } } } : {}),
  };
}
