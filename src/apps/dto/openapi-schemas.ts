/**
 * Hand-written OpenAPI 3.0 schemas for Marathon's v2 JSON shapes (reference §1, §2, §8). They are
 * registered as `components.schemas` and referenced with `ref(name)` from controller decorators, so
 * the generated document describes exactly what Marathon clients send and parse.
 *
 * The same AppDefinition schema serves requests and responses: defaults are the values the server
 * fills in when a field is absent; deprecated request-only aliases are flagged `deprecated`.
 * Nothing here is checked at runtime; validation lives in src/core/apps/parse.ts.
 */

import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

type Schema = SchemaObject | ReferenceObject;

/** `{ $ref: '#/components/schemas/<name>' }` for a schema of OPENAPI_SCHEMAS. */
export function ref(name: keyof typeof OPENAPI_SCHEMAS | string): { $ref: string } {
  return { $ref: `#/components/schemas/${name}` };
}

/** A `$ref` with its own description/default (siblings of a bare `$ref` are ignored in OpenAPI 3.0). */
function refWith(name: string, description: string, extra: SchemaObject = {}): SchemaObject {
  return { allOf: [ref(name)], description, ...extra };
}

const str = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'string', description, ...extra });
const int = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'integer', format: 'int32', description, ...extra });
const num = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'number', format: 'double', description, ...extra });
const bool = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'boolean', description, ...extra });
const timestamp = (description: string, extra: SchemaObject = {}): SchemaObject =>
  ({ type: 'string', format: 'date-time', description, example: '2015-09-25T15:13:48.343Z', ...extra });
const arrayOf = (items: Schema, description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'array', items, description, ...extra });
const obj = (properties: Record<string, Schema>, description: string, extra: SchemaObject = {}): SchemaObject =>
  ({ type: 'object', description, properties, ...extra });

const PORT_RANGE = { minimum: 0, maximum: 65535 } as const;
const PORT_PROTOCOL = str('Transport protocol(s) of the port.', { enum: ['tcp', 'udp', 'udp,tcp'], default: 'tcp' });
const PORT_NAME = str('Port name, unique within the app; usable as `$PORT_<NAME>` and by readiness checks.', {
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
});
const TASK_STATES = [
  'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED',
  'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
];
const DEPLOYMENT_ACTIONS = [
  'StartApplication', 'StopApplication', 'ScaleApplication', 'RestartApplication',
  // Marathon's pod actions: Pacer has no pods and never emits them; listed so Marathon's answers validate.
  'StartPod', 'StopPod', 'ScalePod', 'RestartPod',
];

// ---------------------------------------------------------------------------------------------
// AppDefinition and its parts

const APP_PARTS: Record<string, SchemaObject> = {
  Labels: {
    type: 'object',
    description: 'String-to-string metadata map. Used by the `label` selector of `GET /v2/apps`.',
    additionalProperties: { type: 'string' },
    example: { tier: 'frontend' },
  },
  Constraint: arrayOf({ type: 'string' }, [
    'Placement rule `[field, operator, value?]` (2 or 3 strings). field: `hostname`/`@hostname`, `@region`, `@zone` or an agent',
    'attribute. Operators: UNIQUE (no value), CLUSTER (value optional), GROUP_BY (optional int), LIKE / UNLIKE (regex),',
    'MAX_PER (int), IS (exact value).',
  ].join(' '), { minItems: 2, maxItems: 3, example: ['hostname', 'UNIQUE'] }),
  EnvSecretReference: obj(
    { secret: str('Name of an entry of the app\'s `secrets` map.') },
    'Environment value taken from a secret (needs the `secrets` feature).',
    { required: ['secret'] },
  ),
  EnvValue: {
    description: 'A literal string, or a reference to a secret.',
    oneOf: [{ type: 'string' }, ref('EnvSecretReference')],
  },
  Secret: obj({ source: str('Where the secret store finds the secret (store-specific path or name).') }, 'Secret made available to the app.', {
    required: ['source'],
  }),
  PortDefinition: obj({
    port: int('Service port. 0 asks the server to assign a free one from the service port range (10000-20000); with requirePorts=true it is the host port.', {
      ...PORT_RANGE, default: 0,
    }),
    protocol: PORT_PROTOCOL,
    name: PORT_NAME,
    labels: refWith('Labels', 'Port metadata (for service discovery). Omitted when empty.'),
  }, 'A port reserved on the agent (host networking only).'),
  ContainerPortMapping: obj({
    containerPort: int('Port inside the container. 0 means "same as the host port".', { ...PORT_RANGE, default: 0 }),
    hostPort: int('Agent port mapped to containerPort. Absent: no host port (container networks); 0: random (default for bridge networking).', PORT_RANGE),
    servicePort: int('Service port for load balancers; 0 asks the server to assign one.', { ...PORT_RANGE, default: 0 }),
    protocol: PORT_PROTOCOL,
    name: PORT_NAME,
    labels: refWith('Labels', 'Port metadata (for service discovery). Omitted when empty.'),
    networkNames: arrayOf({ type: 'string' }, 'Container networks this mapping applies to; omitted when empty (all networks).'),
  }, 'Mapping of a container port to an agent port (bridge or container networking).'),
  DockerParameter: obj({
    key: str('docker run option name, without the leading dashes.'),
    value: str('Option value.'),
  }, 'Extra `docker run` command-line option.', { required: ['key', 'value'] }),
  DockerContainer: obj({
    image: str('Image name, e.g. `nginx:1.25` or `registry.example.com/team/app:tag`.'),
    forcePullImage: bool('Pull the image even if the agent has it cached.', { default: false }),
    privileged: bool('Run the container in privileged mode (Docker containerizer only).', { default: false }),
    parameters: arrayOf(ref('DockerParameter'), 'Arbitrary docker run options (Docker containerizer only).', { default: [] }),
    pullConfig: obj(
      { secret: str('Name of the `secrets` entry holding a Docker config.json for the registry.') },
      'Registry credentials for the Mesos containerizer (needs the `secrets` feature).',
      { required: ['secret'] },
    ),
    network: str('Deprecated networking mode; translated into `networks` (HOST → host, BRIDGE → container/bridge, USER → container).', {
      enum: ['HOST', 'BRIDGE', 'USER', 'NONE'], deprecated: true, writeOnly: true,
    }),
    portMappings: arrayOf(ref('ContainerPortMapping'), 'Deprecated location of `container.portMappings`; moved there on input.', {
      deprecated: true, writeOnly: true,
    }),
  }, 'Docker image settings (for both DOCKER and MESOS containers).'),
  PersistentVolumeInfo: obj({
    size: int('Size in MiB.', { minimum: 1 }),
    type: str('Disk resource kind.', { enum: ['root', 'path', 'mount'], default: 'root' }),
    maxSize: int('Largest mount disk acceptable, in MiB (mount disks only).'),
    profileName: str('Storage profile the disk must come from.'),
    constraints: arrayOf(ref('Constraint'), 'Constraints on the disk resource (e.g. `["path", "LIKE", "ssd.*"]`).'),
  }, 'Local persistent volume: reserves disk on the agent and makes the app resident.', { additionalProperties: true }),
  ExternalVolumeInfo: obj({
    name: str('Volume name, unique to the provider.'),
    provider: str('Volume provider, e.g. `dvdi`.'),
    size: int('Size in GiB (provider-specific).'),
    options: { type: 'object', description: 'Provider options, e.g. `{"dvdi/driver": "rexray"}`.', additionalProperties: { type: 'string' } },
  }, 'Volume managed by an external storage provider.', { additionalProperties: true }),
  ContainerVolume: obj({
    containerPath: str('Mount point inside the container (relative for persistent volumes).'),
    mode: str('Access mode.', { enum: ['RO', 'RW'] }),
    hostPath: str('Agent path to bind-mount (host volumes).'),
    persistent: refWith('PersistentVolumeInfo', 'Set for a local persistent volume.'),
    external: refWith('ExternalVolumeInfo', 'Set for an external volume.'),
    secret: str('Name of a `secrets` entry to mount as a file (secret volumes).'),
  }, 'Host, persistent, external or secret volume mounted into the container.'),
  Container: obj({
    type: str('Containerizer: Docker daemon or Mesos (UCR).', { enum: ['DOCKER', 'MESOS'], default: 'DOCKER' }),
    docker: refWith('DockerContainer', 'Image settings; required for DOCKER, optional for MESOS.'),
    volumes: arrayOf(ref('ContainerVolume'), 'Volumes to mount.', { default: [] }),
    portMappings: arrayOf(ref('ContainerPortMapping'), 'Port mappings; only with bridge/container networking (never emitted with host networking).'),
  }, 'Container the tasks run in. Absent: a plain command on the agent.'),
  Network: obj({
    mode: str('Networking mode.', { enum: ['host', 'container/bridge', 'container'], default: 'container' }),
    name: str('Name of the container network (mode `container` only).'),
    labels: refWith('Labels', 'Labels passed to the network (CNI). Omitted when empty.'),
  }, 'A network the tasks join.'),
  IpAddressDiscoveryPort: obj({
    number: int('Container port.', PORT_RANGE),
    name: str('Port name.'),
    protocol: PORT_PROTOCOL,
    labels: refWith('Labels', 'Port metadata.'),
  }, 'Deprecated: a port advertised for an IP-per-task app.', { required: ['number', 'name'] }),
  IpAddress: obj({
    networkName: str('Container network to join; `mesos-bridge` means bridge networking.'),
    groups: arrayOf({ type: 'string' }, 'Network security groups (ignored).'),
    labels: refWith('Labels', 'Network labels.'),
    discovery: obj({ ports: arrayOf(ref('IpAddressDiscoveryPort'), 'Advertised ports.') }, 'Service discovery information.'),
  }, 'Deprecated IP-per-task request field; translated into `networks` and `container.portMappings`.', { deprecated: true, writeOnly: true }),
  Artifact: obj({
    uri: str('URI to download into the sandbox before the task starts.', { minLength: 1, maxLength: 1024 }),
    extract: bool('Unpack archives (tar, tgz, zip, ...).', { default: true }),
    executable: bool('Make the downloaded file executable.', { default: false }),
    cache: bool('Use the Mesos fetcher cache.', { default: false }),
    destPath: str('File name in the sandbox (default: last URI segment).'),
  }, 'A file fetched by the Mesos fetcher.', { required: ['uri'] }),
  HealthCheckCommand: obj({ value: str('Shell command; exit code 0 means healthy.') }, 'Command of a COMMAND health check.', { required: ['value'] }),
  HealthCheck: obj({
    protocol: str('HTTP, HTTPS and TCP are run by the leader; MESOS_* and COMMAND by the agent.', {
      enum: ['HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP'], default: 'HTTP',
    }),
    path: str('Request path (HTTP-family protocols only). Responses 200-399 count as healthy.', { default: '/' }),
    portIndex: int('Index into portDefinitions / container.portMappings. Defaults to 0 when neither port nor portIndex is given.', { minimum: 0 }),
    port: int('Explicit port to check; overrides portIndex.', PORT_RANGE),
    command: refWith('HealthCheckCommand', 'Command to run (COMMAND only).'),
    gracePeriodSeconds: int('Failures are ignored for this long after the task starts, or until its first success.', { minimum: 0, default: 300 }),
    intervalSeconds: int('Seconds between two checks.', { minimum: 0, default: 60 }),
    timeoutSeconds: int('A check taking longer fails.', { minimum: 0, default: 20 }),
    maxConsecutiveFailures: int('Kill the task after this many consecutive failures (0 = never kill, leader-side checks only).', { minimum: 0, default: 3 }),
    delaySeconds: int('Delay before the first agent-side check.', { minimum: 0, default: 15 }),
    ignoreHttp1xx: bool('Treat 1xx responses as "no change" (leader-side HTTP/HTTPS only).', { default: false }),
    ipProtocol: str('IP version to check over (IPv6 only for agent-side checks of Docker tasks).', { enum: ['IPv4', 'IPv6'], default: 'IPv4' }),
  }, 'How task health is determined.'),
  ReadinessCheck: obj({
    name: str('Check name, shown in readiness results.', { minLength: 1, default: 'readinessCheck' }),
    protocol: str('Request protocol.', { enum: ['HTTP', 'HTTPS'], default: 'HTTP' }),
    path: str('Request path.', { minLength: 1, maxLength: 1024, default: '/' }),
    portName: str('Name of the port (portDefinitions or container.portMappings) to query.', { default: 'http-api' }),
    intervalSeconds: int('Seconds between two checks.', { minimum: 0, default: 30 }),
    timeoutSeconds: int('A check taking longer fails; must be below intervalSeconds.', { minimum: 1, default: 10 }),
    httpStatusCodesForReady: arrayOf({ type: 'integer', format: 'int32', minimum: 100, maximum: 999 }, 'Status codes that mean "ready".', {
      minItems: 1, uniqueItems: true, default: [200],
    }),
    preserveLastResponse: bool('Keep the last response and show it in /v2/deployments.', { default: false }),
  }, 'Check run during deployments only: a new task counts once it answers as ready.'),
  UpgradeStrategy: obj({
    minimumHealthCapacity: num('Fraction of `instances` (rounded up) that must stay healthy during a rolling restart.', {
      minimum: 0, maximum: 1, default: 1,
    }),
    maximumOverCapacity: num('Fraction of `instances` (rounded down) that may run in excess during a rolling restart.', {
      minimum: 0, maximum: 1, default: 1,
    }),
  }, 'Rolling-restart limits. Resident apps default to {0.5, 0}; single-instance apps need {0, 0}.'),
  UnreachableEnabled: obj({
    inactiveAfterSeconds: int('After this long unreachable, a replacement is launched.', { minimum: 0, default: 0 }),
    expungeAfterSeconds: int('After this long unreachable, the task is forgotten (and killed if it comes back). Must be ≥ inactiveAfterSeconds.', {
      minimum: 0, default: 0,
    }),
  }, 'Timeouts for tasks on agents that became unreachable.', { required: ['inactiveAfterSeconds', 'expungeAfterSeconds'] }),
  UnreachableStrategy: {
    description: 'What happens to tasks on unreachable agents: timeouts, or "disabled" (never replaced; required for resident apps).',
    oneOf: [ref('UnreachableEnabled'), { type: 'string', enum: ['disabled'] }],
    default: { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
  },
  Residency: obj({
    relaunchEscalationTimeoutSeconds: int('How long to wait for an offer with the reserved resources before giving up on them.', {
      minimum: 0, default: 3600,
    }),
    taskLostBehavior: str('What to do when a resident task is lost.', { enum: ['WAIT_FOREVER', 'RELAUNCH_AFTER_TIMEOUT'], default: 'WAIT_FOREVER' }),
  }, 'Deprecated settings of resident apps (apps with persistent volumes).'),
  VersionInfo: obj({
    lastScalingAt: timestamp('Last change of any kind, including scale-only changes.'),
    lastConfigChangeAt: timestamp('Last change that restarted tasks (configuration change or /restart).'),
  }, 'When the app last changed; set by the server.', { required: ['lastScalingAt', 'lastConfigChangeAt'], readOnly: true }),
};

const APP_DEFINITION: SchemaObject = obj({
  id: str('Absolute path such as `/team/web` (a relative id is resolved against the group). Segments: lowercase letters, digits, `-` and `.`.', {
    example: '/team/web',
  }),
  acceptedResourceRoles: arrayOf({ type: 'string' }, 'Only offers of these Mesos roles are used (`*` = unreserved). Omitted when unset.', {
    uniqueItems: true,
  }),
  args: arrayOf({ type: 'string' }, 'Command in exec form. Exclusive with cmd; omitted when unset.'),
  backoffFactor: num('Launch delay multiplier after each consecutive failure.', { minimum: 1, default: 1.15 }),
  backoffSeconds: int('Launch delay after the first failure.', { minimum: 0, default: 1 }),
  cmd: str('Shell command (`/bin/sh -c`). Exclusive with args; needed unless a container image is given.', { minLength: 1 }),
  constraints: arrayOf(ref('Constraint'), 'Placement rules, all of which must hold.', { default: [] }),
  container: refWith('Container', 'Container settings; absent for a plain command.'),
  cpus: num('CPU shares per task.', { minimum: 0.001, default: 1 }),
  dependencies: arrayOf({ type: 'string' }, 'Apps/groups deployed before this one (ordering only).', { uniqueItems: true, default: [] }),
  disk: num('Scratch disk per task, in MiB.', { minimum: 0, default: 0 }),
  env: {
    type: 'object',
    description: 'Environment variables of the tasks.',
    additionalProperties: ref('EnvValue'),
    default: {},
  },
  executor: str('Mesos executor; empty means the default (`//cmd`).', { default: '' }),
  fetch: arrayOf(ref('Artifact'), 'Files downloaded into the sandbox before the task starts.', { default: [] }),
  gpus: int('GPUs per task (needs the `gpu_resources` feature).', { minimum: 0, default: 0 }),
  healthChecks: arrayOf(ref('HealthCheck'), 'Health checks; at most one agent-side check.', { default: [] }),
  instances: int('Number of tasks to keep running. Changing only this scales without restarting.', { minimum: 0, default: 1 }),
  labels: refWith('Labels', 'App metadata. MARATHON_SINGLE_INSTANCE_APP=true limits the app to one instance.', { default: {} }),
  maxLaunchDelaySeconds: int('Upper bound of the launch delay.', { minimum: 0, default: 300 }),
  mem: num('Memory per task, in MiB.', { minimum: 0, default: 128 }),
  networks: arrayOf(ref('Network'), 'Networks the tasks join.', { default: [{ mode: 'host' }] }),
  portDefinitions: arrayOf(ref('PortDefinition'), 'Ports with host networking (omitted otherwise). Absent in a host-networking request: one dynamic port.', {
    default: [{ port: 0, protocol: 'tcp', name: 'default' }],
  }),
  readinessChecks: arrayOf(ref('ReadinessCheck'), 'At most one readiness check.', { maxItems: 1, default: [] }),
  residency: refWith('Residency', 'Resident apps only (persistent volumes).'),
  requirePorts: bool('Use the portDefinitions ports as host ports (host networking only).', { default: false }),
  role: str('Mesos role the tasks run under (default: the group\'s role or `--mesos_role`).'),
  secrets: {
    type: 'object',
    description: 'Secrets, by name, for env and volumes (needs the `secrets` feature).',
    additionalProperties: ref('Secret'),
    default: {},
  },
  storeUrls: arrayOf({ type: 'string' }, 'Legacy artifact store URLs. Omitted when empty.'),
  taskKillGracePeriodSeconds: int('Seconds between SIGTERM and SIGKILL when killing a task (default: the executor\'s).', { minimum: 0 }),
  upgradeStrategy: refWith('UpgradeStrategy', 'Rolling-restart limits.', { default: { minimumHealthCapacity: 1, maximumOverCapacity: 1 } }),
  user: str('OS user the tasks run as (default: the framework user).'),
  version: timestamp('Version of this definition; set by the server (ignored on create).'),
  versionInfo: refWith('VersionInfo', 'Change history; set by the server.'),
  killSelection: str('Which tasks die first on scale-down.', { enum: ['YOUNGEST_FIRST', 'OLDEST_FIRST'], default: 'YOUNGEST_FIRST' }),
  unreachableStrategy: refWith('UnreachableStrategy', 'Handling of tasks on unreachable agents.', {
    default: { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
  }),
  ports: arrayOf({ type: 'integer', format: 'int32', ...PORT_RANGE }, 'Deprecated request alias of portDefinitions (`[p]` = `[{"port": p}]`); not with portDefinitions.', {
    deprecated: true, writeOnly: true,
  }),
  uris: arrayOf({ type: 'string' }, 'Deprecated request alias of fetch (each URI = `{"uri": u}`); not with fetch.', { deprecated: true, writeOnly: true }),
  ipAddress: refWith('IpAddress', 'Deprecated IP-per-task settings; translated into networks.', { deprecated: true, writeOnly: true }),
}, 'A long-running application (Marathon 1.10 app definition).', { required: ['id'] });

// ---------------------------------------------------------------------------------------------
// Status objects: tasks, failures, readiness, AppInfo

const STATUS: Record<string, SchemaObject> = {
  DeploymentRef: obj({ id: str('Deployment id.', { format: 'uuid' }) }, 'A deployment, by id.', { required: ['id'] }),
  HealthCheckResult: obj({
    instanceId: str('Instance the result belongs to.'),
    alive: bool('Result of the latest check.'),
    consecutiveFailures: int('Failures since the last success.', { minimum: 0 }),
    firstSuccess: timestamp('First successful check; null before it.', { nullable: true }),
    lastSuccess: timestamp('Latest successful check; null if none.', { nullable: true }),
    lastFailure: timestamp('Latest failed check; null if none.', { nullable: true }),
    lastFailureCause: str('Why the latest check failed; null if none.', { nullable: true }),
  }, 'State of one health check for one task (same order as the app\'s healthChecks).'),
  TaskIpAddress: obj({
    ipAddress: str('Address of the task.'),
    protocol: str('IP version.', { enum: ['IPv4', 'IPv6'] }),
  }, 'An IP address of a task.'),
  LocalVolume: obj({
    containerPath: str('Mount point of the volume.'),
    persistenceId: str('Id of the reserved volume on the agent.'),
  }, 'A persistent volume reserved for a resident task.'),
  Task: obj({
    id: str('Mesos task id, e.g. `web.instance-<uuid>._app.1`.'),
    appId: str('Id of the app.'),
    host: str('Hostname of the agent.'),
    slaveId: str('Mesos agent id.'),
    state: str('Latest Mesos task state.', { enum: TASK_STATES }),
    stagedAt: timestamp('When the task was launched.'),
    startedAt: timestamp('When the task reached TASK_RUNNING; absent before.'),
    version: timestamp('App version the task was launched with.'),
    ports: arrayOf({ type: 'integer', format: 'int32' }, 'Host ports allocated to the task.'),
    servicePorts: arrayOf({ type: 'integer', format: 'int32' }, 'Service ports of the app, at least as many as `ports`.'),
    ipAddresses: arrayOf(ref('TaskIpAddress'), 'Addresses reported by Mesos.'),
    healthCheckResults: arrayOf(ref('HealthCheckResult'), 'Health results; empty until a check ran.'),
    localVolumes: arrayOf(ref('LocalVolume'), 'Persistent volumes (resident apps only).'),
    region: str('Fault-domain region of the agent.'),
    zone: str('Fault-domain zone of the agent.'),
    role: str('Mesos role the task runs under.'),
  }, 'A task of an app.', { required: ['id', 'appId', 'host', 'state'] }),
  TaskFailure: obj({
    appId: str('Id of the app.'),
    host: str('Hostname of the agent.'),
    message: str('Message of the terminal status update.'),
    state: str('Terminal Mesos state.', { enum: TASK_STATES }),
    taskId: str('Id of the failed task.'),
    timestamp: timestamp('When the failure was reported.'),
    version: timestamp('App version of the failed task.'),
    slaveId: str('Mesos agent id.', { nullable: true }),
  }, 'The last task of the app that ended unsuccessfully.'),
  ReadinessCheckHttpResponse: obj({
    status: int('HTTP status code.'),
    contentType: str('Content-Type of the response.'),
    body: str('Response body.'),
  }, 'Last response of a readiness check (with preserveLastResponse).'),
  ReadinessCheckResult: obj({
    name: str('Name of the readiness check.'),
    taskId: str('Task checked.'),
    ready: bool('Whether the task answered as ready.'),
    lastResponse: refWith('ReadinessCheckHttpResponse', 'Last response; only with preserveLastResponse.'),
  }, 'Readiness of one task during a deployment.'),
  TaskCounts: obj({
    staged: int('Tasks staged.'),
    running: int('Tasks running.'),
    healthy: int('Tasks healthy.'),
    unhealthy: int('Tasks unhealthy.'),
  }, 'Task counts by state.'),
  TaskLifeTime: obj({
    averageSeconds: num('Mean time since start of the running tasks.'),
    medianSeconds: num('Median time since start of the running tasks.'),
  }, 'Age of the running tasks.'),
  TaskStatsEntry: obj({
    stats: obj({
      counts: ref('TaskCounts'),
      lifeTime: ref('TaskLifeTime'),
    }, 'Counts and ages.'),
  }, 'Statistics over a subset of the tasks.'),
  TaskStats: obj({
    startedAfterLastScaling: refWith('TaskStatsEntry', 'Tasks started after the last scaling or restart; absent if none.'),
    withLatestConfig: refWith('TaskStatsEntry', 'Tasks running the current configuration; absent if none.'),
    withOutdatedConfig: refWith('TaskStatsEntry', 'Tasks running an older configuration; absent if none.'),
    totalSummary: refWith('TaskStatsEntry', 'All tasks; absent if none.'),
  }, 'Task statistics (`embed=app.taskStats`).'),
};

STATUS.AppInfo = {
  description: 'An app with its status: task counts and running deployments always, other parts on `embed`.',
  allOf: [
    ref('AppDefinition'),
    obj({
      tasksStaged: int('Launched tasks not yet running.', { minimum: 0, readOnly: true }),
      tasksRunning: int('Tasks in TASK_RUNNING.', { minimum: 0, readOnly: true }),
      tasksHealthy: int('Tasks whose health checks all pass.', { minimum: 0, readOnly: true }),
      tasksUnhealthy: int('Tasks with a failing health check.', { minimum: 0, readOnly: true }),
      deployments: arrayOf(ref('DeploymentRef'), 'Running deployments that touch this app.', { readOnly: true }),
      tasks: arrayOf(ref('Task'), 'Tasks of the app (`embed=app.tasks`; always for a single app).', { readOnly: true }),
      lastTaskFailure: refWith('TaskFailure', 'Last failed task (`embed=app.lastTaskFailure`; always for a single app).', { readOnly: true }),
      readinessCheckResults: arrayOf(ref('ReadinessCheckResult'), 'Readiness during deployments (`embed=app.readiness`).', { readOnly: true }),
      taskStats: refWith('TaskStats', 'Task statistics (`embed=app.taskStats`).', { readOnly: true }),
    }, 'Status fields.', { required: ['tasksStaged', 'tasksRunning', 'tasksHealthy', 'tasksUnhealthy', 'deployments'] }),
  ],
};

// ---------------------------------------------------------------------------------------------
// Envelopes, deployments, errors, info

const API: Record<string, SchemaObject> = {
  AppList: obj({ apps: arrayOf(ref('AppInfo'), 'Matching apps.') }, 'Answer of GET /v2/apps.', { required: ['apps'] }),
  AppResponse: obj({ app: ref('AppInfo') }, 'Answer of GET /v2/apps/{id} and POST /v2/apps.', { required: ['app'] }),
  AppVersions: obj({ versions: arrayOf({ type: 'string', format: 'date-time' }, 'Stored versions, newest first.') }, 'Answer of GET /v2/apps/{id}/versions.', {
    required: ['versions'],
  }),
  DeploymentResult: obj({
    deploymentId: str('Id of the deployment started (also in the Marathon-Deployment-Id header).', { format: 'uuid' }),
    version: timestamp('Version of the changed definitions.'),
  }, 'A change was accepted and its deployment stored; poll /v2/deployments to follow it.', { required: ['deploymentId', 'version'] }),
  DeploymentAction: obj({
    action: str('What the step does to the app.', { enum: DEPLOYMENT_ACTIONS }),
    app: str('Id of the app.'),
    pod: str('Id of the pod (Marathon pod actions only; Pacer has no pods).'),
  }, 'One action of a deployment step.', { required: ['action'] }),
  DeploymentStep: obj({ actions: arrayOf(ref('DeploymentAction'), 'Actions run in parallel.') }, 'Actions run together; steps run one after the other.', {
    required: ['actions'],
  }),
  DeploymentCurrentAction: {
    description: 'An action of the current step, with readiness results.',
    allOf: [
      ref('DeploymentAction'),
      obj({ readinessCheckResults: arrayOf(ref('ReadinessCheckResult'), 'Readiness of the new tasks.') }, 'Progress.'),
    ],
  },
  DeploymentInfo: obj({
    id: str('Deployment id.', { format: 'uuid' }),
    version: timestamp('Target version of the deployment.'),
    affectedApps: arrayOf({ type: 'string' }, 'Ids of the apps it changes.'),
    affectedPods: arrayOf({ type: 'string' }, 'Ids of the pods it changes (always empty in Pacer).'),
    steps: arrayOf(ref('DeploymentStep'), 'All steps, in order.'),
    currentActions: arrayOf(ref('DeploymentCurrentAction'), 'Actions of the running step.'),
    currentStep: int('1-based number of the running step; 0 when not started.', { minimum: 0 }),
    totalSteps: int('Number of steps.', { minimum: 0 }),
  }, 'A running deployment (GET /v2/deployments).', {
    required: ['id', 'version', 'affectedApps', 'affectedPods', 'steps', 'currentActions', 'currentStep', 'totalSteps'],
  }),
  DeploymentActionStatus: {
    description: 'An action of the current step with its progress and, when it cannot progress, why (Pacer).',
    allOf: [
      ref('DeploymentCurrentAction'),
      obj({
        progress: obj({
          target: int('Instances the app asks for.'),
          current: int('Running-goal instances on the new configuration (waiting ones included).'),
          healthyCurrent: int('Of those, running and healthy.'),
          old: int('Running-goal instances on an older configuration.'),
          terminating: int('Instances asked to stop whose task has not ended yet.'),
          waiting: int('Instances waiting for an offer or their backoff.'),
        }, 'Counts the leader last saw.'),
        reasons: arrayOf({ type: 'string' }, 'Why the action cannot progress (empty while it progresses).'),
      }, 'Pacer status.'),
    ],
  },
  DeploymentStatus: {
    description: 'One deployment with the status of its current step (Pacer; GET /v2/deployments keeps Marathon\'s shape).',
    allOf: [
      ref('DeploymentInfo'),
      obj({
        currentActions: arrayOf(ref('DeploymentActionStatus'), 'Actions of the running step, with progress and reasons.'),
        stepStartedAt: timestamp('When the running step started.'),
        updatedAt: timestamp('When the leader last updated this status.'),
      }, 'Status of the running step.'),
    ],
  },
  TaskList: obj({ tasks: arrayOf(ref('Task'), 'The tasks.') }, 'Answer of the task lists and of kills with scale=false.', { required: ['tasks'] }),
  TaskSingle: obj({ task: ref('Task') }, 'Answer of killing one task with scale=false: the task as it was.', { required: ['task'] }),
  TaskIds: obj({ ids: arrayOf({ type: 'string' }, 'Task ids, e.g. `web.instance-<uuid>._app.1`.') }, 'Body of POST /v2/tasks/delete.', { required: ['ids'] }),
  QueueDelay: obj({
    timeLeftSeconds: int('Seconds of launch backoff left (0 = none).', { minimum: 0 }),
    overdue: bool('true: waiting for offers; false: backing off.'),
  }, 'Launch delay of a queue item.', { required: ['timeLeftSeconds', 'overdue'] }),
  RejectSummary: obj({
    reason: str('Why offers did not fit, e.g. InsufficientCpus, InsufficientMemory, InsufficientPorts, UnfulfilledRole, UnfulfilledConstraint.'),
    declined: int('Offers declined for this reason.', { minimum: 0 }),
    processed: int('Offers processed.', { minimum: 0 }),
  }, 'One reason offers were not used.'),
  ProcessedOffersSummary: obj({
    processedOffersCount: int('Offers considered for the item.', { minimum: 0 }),
    unusedOffersCount: int('Offers it could not use.', { minimum: 0 }),
    lastUnusedOfferAt: timestamp('When an offer was last unusable; absent if never.'),
    lastUsedOfferAt: timestamp('When an offer was last used; absent if never.'),
    rejectSummaryLastOffers: arrayOf(ref('RejectSummary'), 'Reasons over the last offers, most frequent first.'),
    rejectSummaryLaunchAttempt: arrayOf(ref('RejectSummary'), 'Reasons over the last launch attempts.'),
  }, 'What the offers seen for a queue item lacked.'),
  NumberRange: obj({ begin: int('First value.'), end: int('Last value (inclusive).') }, 'A range of values (ports).'),
  OfferResource: obj({
    name: str('Resource name: cpus, mem, disk, gpus, ports.'),
    role: str('Mesos role of the resource (`*` = unreserved).'),
    scalar: num('Amount of a scalar resource.'),
    ranges: arrayOf(ref('NumberRange'), 'Ranges of a range resource.'),
    set: arrayOf({ type: 'string' }, 'Items of a set resource (Marathon; Pacer does not emit it).'),
  }, 'A resource of an offer.'),
  OfferAttribute: obj({
    name: str('Attribute name.'),
    text: str('Text value.'),
    scalar: num('Scalar value.'),
    ranges: arrayOf(ref('NumberRange'), 'Range value (Marathon; Pacer does not emit it).'),
    set: arrayOf({ type: 'string' }, 'Set value (Marathon; Pacer does not emit it).'),
  }, 'An agent attribute of an offer.'),
  Offer: obj({
    id: str('Mesos offer id.'),
    agentId: str('Mesos agent id.'),
    hostname: str('Agent hostname.'),
    resources: arrayOf(ref('OfferResource'), 'Resources offered.'),
    attributes: arrayOf(ref('OfferAttribute'), 'Agent attributes.'),
  }, 'A Mesos offer.'),
  UnusedOffer: obj({
    offer: ref('Offer'),
    timestamp: timestamp('When it was processed.'),
    reason: arrayOf({ type: 'string' }, 'Why it could not be used.'),
  }, 'An offer a queue item could not use.'),
  QueueItem: obj({
    app: ref('AppDefinition'),
    count: int('Instances left to launch.', { minimum: 0 }),
    delay: ref('QueueDelay'),
    since: timestamp('Since when the oldest of them waits.'),
    processedOffersSummary: ref('ProcessedOffersSummary'),
    lastUnusedOffers: arrayOf(ref('UnusedOffer'), 'The last offers it could not use (`embed=lastUnusedOffers`).'),
  }, 'An app with instances waiting to be launched.', { required: ['app', 'count', 'delay', 'since'] }),
  Queue: obj({ queue: arrayOf(ref('QueueItem'), 'Waiting apps, by app id.') }, 'Answer of GET /v2/queue.', { required: ['queue'] }),
  Error: obj({ message: str('What went wrong.') }, 'Error answer.', { required: ['message'] }),
  ValidationErrorDetail: obj({
    path: str('JSON path of the offending value, e.g. `/upgradeStrategy/minimumHealthCapacity`.'),
    errors: arrayOf({ type: 'string' }, 'Problems found at that path.'),
  }, 'Problems at one JSON path.', { required: ['path', 'errors'] }),
  ValidationError: obj({
    message: str('"Object is not valid" (422) or "Invalid JSON" (400).', { example: 'Object is not valid' }),
    details: arrayOf(ref('ValidationErrorDetail'), 'Problems, grouped by JSON path.'),
  }, 'The request body was rejected.', { required: ['message', 'details'] }),
  LockedError: obj({
    message: str('Explanation, pointing at `?force=true`.'),
    deployments: arrayOf(ref('DeploymentRef'), 'Running deployments that hold the lock.'),
  }, 'A running deployment owns an app this change touches (409).', { required: ['message', 'deployments'] }),
  EventSubscriberConfig: obj({
    type: str('Subscriber kind, e.g. `http_callback`.'),
    http_endpoints: arrayOf({ type: 'string' }, 'Callback URLs.', { nullable: true }),
  }, 'Legacy event subscriber configuration.'),
  MarathonConfig: obj({
    access_control_allow_origin: arrayOf({ type: 'string' }, 'CORS origins allowed.'),
    checkpoint: bool('Agent checkpointing enabled for tasks.'),
    decline_offer_duration: int('How long unused offers are declined, in ms.', { default: 120000 }),
    default_network_name: str('Container network used when a network has no name.'),
    env_vars_prefix: str('Prefix added to the task environment variables set by the server.'),
    executor: str('Default executor.', { default: '//cmd' }),
    failover_timeout: int('Mesos framework failover timeout, in seconds.', { default: 604800 }),
    features: arrayOf({ type: 'string' }, 'Enabled optional features (e.g. `secrets`, `gpu_resources`).'),
    framework_name: str('Mesos framework name.', { default: 'marathon' }),
    ha: bool('High availability (leader election) enabled.'),
    hostname: str('Hostname advertised to Mesos and peers.'),
    launch_token: int('Task launches allowed per refresh interval.', { default: 100 }),
    launch_token_refresh_interval: int('Launch token refresh interval, in ms.', { default: 30000 }),
    leader_proxy_connection_timeout_ms: int('Connect timeout when proxying to the leader, in ms.', { default: 5000 }),
    leader_proxy_read_timeout_ms: int('Read timeout when proxying to the leader, in ms.', { default: 10000 }),
    local_port_max: int('Upper end of the service port range.', { default: 20000 }),
    local_port_min: int('Lower end of the service port range.', { default: 10000 }),
    master: str('Mesos master URL (`zk://...` or `host:port`).'),
    max_instances_per_offer: int('Most tasks launched from one offer.', { default: 5 }),
    mesos_bridge_name: str('Name of the bridge network.', { default: 'mesos-bridge' }),
    mesos_heartbeat_failure_threshold: int('Missed heartbeats before the master counts as lost.', { default: 5 }),
    mesos_heartbeat_interval: int('Heartbeat interval with the master, in ms.', { default: 15000 }),
    mesos_leader_ui_url: str('URL of the Mesos master UI.'),
    mesos_role: str('Default Mesos role.', { nullable: true }),
    mesos_user: str('Default OS user of tasks.', { nullable: true }),
    min_revive_offers_interval: int('Shortest interval between two offer revives, in ms.', { default: 5000 }),
    offer_matching_timeout: int('Time budget to match one offer, in ms.', { default: 3000 }),
    on_elected_prepare_timeout: int('Time allowed to load state after winning the election, in ms.', { default: 180000 }),
    reconciliation_initial_delay: int('Delay before the first task reconciliation, in ms.', { default: 15000 }),
    reconciliation_interval: int('Interval between task reconciliations, in ms.', { default: 600000 }),
    scale_apps_initial_delay: int('Delay before the first instance-count check, in ms.', { default: 15000 }),
    scale_apps_interval: int('Interval between instance-count checks, in ms.', { default: 300000 }),
    store_cache: bool('State store cache enabled.'),
    task_launch_confirm_timeout: int('Time for a launched task to report its first status, in ms.', { default: 300000 }),
    task_launch_timeout: int('Time for a launched task to reach TASK_RUNNING, in ms.', { default: 300000 }),
    task_lost_expunge_initial_delay: int('Delay before the first lost-task garbage collection, in ms.', { default: 300000 }),
    task_lost_expunge_interval: int('Interval between lost-task garbage collections, in ms.', { default: 30000 }),
    task_reservation_timeout: int('Time to launch on a new reservation before it is released, in ms.', { default: 20000 }),
    webui_url: str('URL of this UI.', { nullable: true }),
  }, 'Main command-line settings. Other keys may appear.', { additionalProperties: true }),
  ZookeeperConfig: obj({
    zk: str('ZooKeeper URL of the state root (credentials redacted).'),
    zk_compression: bool('Compress large nodes.'),
    zk_compression_threshold: int('Nodes above this size (bytes) are compressed.'),
    zk_connection_timeout: int('Connect timeout, in ms.', { default: 10000 }),
    zk_max_node_size: int('Largest node written, in bytes.'),
    zk_max_versions: int('Versions kept per app or group.', { default: 50 }),
    zk_session_timeout: int('Session timeout, in ms.', { default: 10000 }),
    zk_timeout: int('Operation timeout, in ms.', { default: 10000 }),
  }, 'ZooKeeper settings.'),
  HttpConfig: obj({
    http_port: int('HTTP port.', { default: 8080 }),
    https_port: int('HTTPS port.', { default: 8443 }),
  }, 'HTTP listener settings.'),
  Info: obj({
    name: str('Server name (`marathon` for client compatibility).', { example: 'marathon' }),
    version: str('Server version (1.x style).'),
    buildref: str('Build reference (commit).'),
    elected: bool('Whether this node is the leader.'),
    leader: str('`host:port` of the leader; null when there is none.', { nullable: true }),
    frameworkId: str('Mesos framework id; null before the first registration.', { nullable: true }),
    event_subscriber: refWith('EventSubscriberConfig', 'Legacy callback subscriber settings; null when none.', { nullable: true }),
    marathon_config: ref('MarathonConfig'),
    zookeeper_config: ref('ZookeeperConfig'),
    http_config: ref('HttpConfig'),
  }, 'Answer of GET /v2/info.', { required: ['name', 'version', 'elected', 'marathon_config', 'zookeeper_config', 'http_config'] }),
  Leader: obj({ leader: str('`host:port` of the leader.', { example: 'pacer-1.example.com:8080' }) }, 'Answer of GET /v2/leader.', {
    required: ['leader'],
  }),
};

/** Keys are the `components.schemas` names. */
export const OPENAPI_SCHEMAS: Record<string, SchemaObject> = {
  ...APP_PARTS,
  AppDefinition: APP_DEFINITION,
  ...STATUS,
  ...API,
};
