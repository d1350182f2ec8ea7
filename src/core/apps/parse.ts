import {
  HEALTH_CHECK_PROTOCOLS, KILL_SELECTIONS, NETWORK_MODES, PORT_PROTOCOLS,
} from './defaults';
import { field, index, isObject, MSG, present, Raw, Reader } from './json-reader';
import type { EnvValue, JsonValue, Labels, NetworkMode, PortProtocol } from './types';

/**
 * Phase 1 of normalizeApp: read the request JSON into typed, still-optional fields (what Marathon's
 * RAML-generated readers do). Unknown keys are dropped here. Range checks that the RAML types
 * declare (minimum, maxLength, pattern, enum) are reported with play-json's keys.
 */

export interface ParsedPortDefinition {
  port: number;
  protocol: PortProtocol;
  name?: string;
  labels?: Labels;
}
export interface ParsedPortMapping {
  containerPort: number;
  hostPort?: number;
  servicePort: number;
  protocol: PortProtocol;
  name?: string;
  labels?: Labels;
  networkNames?: string[];
}
export interface ParsedDocker {
  image?: string;
  network?: 'HOST' | 'BRIDGE' | 'USER' | 'NONE';
  portMappings?: ParsedPortMapping[];
  parameters?: { key: string; value: string }[];
  privileged?: boolean;
  forcePullImage?: boolean;
  pullConfig?: { secret: string };
  credential?: JsonValue;
}
export interface ParsedVolume {
  containerPath?: string;
  hostPath?: string;
  mode?: 'RO' | 'RW';
  persistent?: { [k: string]: JsonValue };
  external?: { [k: string]: JsonValue };
  secret?: string;
}
export interface ParsedContainer {
  type: 'DOCKER' | 'MESOS';
  docker?: ParsedDocker;
  volumes: ParsedVolume[];
  portMappings?: ParsedPortMapping[];
}
export interface ParsedHealthCheck {
  protocol?: (typeof HEALTH_CHECK_PROTOCOLS)[number];
  path?: string;
  portIndex?: number;
  port?: number;
  command?: { value: string };
  gracePeriodSeconds?: number;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  maxConsecutiveFailures?: number;
  delaySeconds?: number;
  ignoreHttp1xx?: boolean;
  ipProtocol?: 'IPv4' | 'IPv6';
}
export interface ParsedReadinessCheck {
  name?: string;
  protocol?: 'HTTP' | 'HTTPS';
  path?: string;
  portName?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  httpStatusCodesForReady?: number[];
  preserveLastResponse?: boolean;
}
export interface ParsedNetwork {
  mode: NetworkMode;
  name?: string;
  labels?: Labels;
}
export interface ParsedIpAddress {
  networkName?: string;
  labels?: Labels;
  discoveryPorts?: { number: number; name: string; protocol: PortProtocol; labels?: Labels }[];
}
export interface ParsedArtifact {
  uri: string;
  extract?: boolean;
  executable?: boolean;
  cache?: boolean;
  destPath?: string;
}

export interface ParsedApp {
  id?: string;
  cmd?: string;
  args?: string[];
  user?: string;
  env?: Record<string, EnvValue>;
  instances?: number;
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  executor?: string;
  constraints?: string[][];
  uris?: string[];
  fetch?: ParsedArtifact[];
  storeUrls?: string[];
  ports?: number[];
  portDefinitions?: ParsedPortDefinition[];
  requirePorts?: boolean;
  backoffSeconds?: number;
  backoffFactor?: number;
  maxLaunchDelaySeconds?: number;
  container?: ParsedContainer;
  healthChecks?: ParsedHealthCheck[];
  readinessChecks?: ParsedReadinessCheck[];
  dependencies?: string[];
  upgradeStrategy?: { minimumHealthCapacity?: number; maximumOverCapacity?: number };
  labels?: Record<string, string>;
  acceptedResourceRoles?: string[];
  ipAddress?: ParsedIpAddress;
  version?: string;
  versionInfo?: { lastScalingAt: string; lastConfigChangeAt: string };
  killSelection?: (typeof KILL_SELECTIONS)[number];
  unreachableStrategy?: { inactiveAfterSeconds: number; expungeAfterSeconds: number } | 'disabled';
  taskKillGracePeriodSeconds?: number;
  networks?: ParsedNetwork[];
  role?: string;
  secrets?: Record<string, { source: string }>;
  residency?: { relaunchEscalationTimeoutSeconds: number; taskLostBehavior: 'WAIT_FOREVER' | 'RELAUNCH_AFTER_TIMEOUT' };
}

const PORT = { min: 0, max: 65535 };
/** RAML pattern of `executor`; play-json patterns must match the whole string. */
const EXECUTOR_RE = /^(?:^(\/\/cmd)|(\/?[^/]+(\/[^/]+)*)|$)$/;
/** Port names: DNS-label-like. */
export const PORT_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** ISO-8601 date-time as Marathon prints and accepts it. */
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Reads each element of an optional array with `each`, skipping elements that failed. */
function each<T>(r: Reader, v: unknown, path: string, read: (x: unknown, p: string) => T | undefined): T[] | undefined {
  const a = r.arr(v, path);
  if (a === undefined) return undefined;
  const out: T[] = [];
  a.forEach((x, i) => {
    const p = index(path, i);
    if (!present(x)) return void r.issues.add(p, MSG.object);
    const t = read(x, p);
    if (t !== undefined) out.push(t);
  });
  return out;
}

function objectAt(r: Reader, v: unknown, path: string): Raw | undefined {
  return r.obj(v, path);
}

function labelsAt(r: Reader, v: unknown, path: string): Labels | undefined {
  const m = r.strMap(v, path);
  return m === undefined || Object.keys(m).length === 0 ? undefined : m;
}

function portDefinition(r: Reader, v: unknown, p: string): ParsedPortDefinition | undefined {
  const o = objectAt(r, v, p);
  if (o === undefined) return undefined;
  return {
    port: r.int(o.port, field(p, 'port'), PORT) ?? 0,
    protocol: r.enumOf(o.protocol, field(p, 'protocol'), PORT_PROTOCOLS) ?? 'tcp',
    name: r.str(o.name, field(p, 'name'), { pattern: PORT_NAME_RE }),
    labels: labelsAt(r, o.labels, field(p, 'labels')),
  };
}

function portMapping(r: Reader, v: unknown, p: string): ParsedPortMapping | undefined {
  const o = objectAt(r, v, p);
  if (o === undefined) return undefined;
  const networkNames = r.strArray(o.networkNames, field(p, 'networkNames'));
  return {
    containerPort: r.int(o.containerPort, field(p, 'containerPort'), PORT) ?? 0,
    hostPort: r.int(o.hostPort, field(p, 'hostPort'), PORT),
    servicePort: r.int(o.servicePort, field(p, 'servicePort'), PORT) ?? 0,
    protocol: r.enumOf(o.protocol, field(p, 'protocol'), PORT_PROTOCOLS) ?? 'tcp',
    name: r.str(o.name, field(p, 'name'), { pattern: PORT_NAME_RE }),
    labels: labelsAt(r, o.labels, field(p, 'labels')),
    networkNames: networkNames !== undefined && networkNames.length > 0 ? networkNames : undefined,
  };
}

function docker(r: Reader, v: unknown, p: string): ParsedDocker | undefined {
  const o = objectAt(r, v, p);
  if (o === undefined) return undefined;
  const pullConfig = r.obj(o.pullConfig, field(p, 'pullConfig'));
  let pc: { secret: string } | undefined;
  if (pullConfig !== undefined) {
    const secret = r.str(pullConfig.secret, field(field(p, 'pullConfig'), 'secret'));
    if (secret === undefined && !present(pullConfig.secret)) r.issues.add(field(field(p, 'pullConfig'), 'secret'), MSG.missing);
    if (secret !== undefined) pc = { secret };
  }
  return {
    image: r.str(o.image, field(p, 'image')),
    network: r.enumOf(o.network, field(p, 'network'), ['HOST', 'BRIDGE', 'USER', 'NONE'] as const),
    portMappings: each(r, o.portMappings, field(p, 'portMappings'), (x, q) => portMapping(r, x, q)),
    parameters: each(r, o.parameters, field(p, 'parameters'), (x, q) => {
      const po = objectAt(r, x, q);
      if (po === undefined) return undefined;
      const key = r.str(po.key, field(q, 'key'));
      const value = r.str(po.value, field(q, 'value'));
      if (!present(po.key)) r.issues.add(field(q, 'key'), MSG.missing);
      if (!present(po.value)) r.issues.add(field(q, 'value'), MSG.missing);
      return key !== undefined && value !== undefined ? { key, value } : undefined;
    }),
    privileged: r.bool(o.privileged, field(p, 'privileged')),
    forcePullImage: r.bool(o.forcePullImage, field(p, 'forcePullImage')),
    pullConfig: pc,
    credential: present(o.credential) ? (o.credential as JsonValue) : undefined,
  };
}

function volume(r: Reader, v: unknown, p: string): ParsedVolume | undefined {
  const o = objectAt(r, v, p);
  if (o === undefined) return undefined;
  return {
    containerPath: r.str(o.containerPath, field(p, 'containerPath')),
    hostPath: r.str(o.hostPath, field(p, 'hostPath')),
    mode: r.enumOf(o.mode, field(p, 'mode'), ['RO', 'RW'] as const),
    persistent: r.jsonObject(o.persistent, field(p, 'persistent')),
    external: r.jsonObject(o.external, field(p, 'external')),
    secret: r.str(o.secret, field(p, 'secret')),
  };
}

function container(r: Reader, v: unknown, p: string): ParsedContainer | undefined {
  const o = objectAt(r, v, p);
  if (o === undefined) return undefined;
  return {
    type: r.enumOf(o.type, field(p, 'type'), ['DOCKER', 'MESOS'] as const) ?? 'DOCKER',
    docker: docker(r, o.docker, field(p, 'docker')),
    volumes: each(r, o.volumes, field(p, 'volumes'), (x, q) => volume(r, x, q)) ?? [],
    portMappings: each(r, o.portMappings, field(p, 'portMappings'), (x, q) => portMapping(r, x, q)),
  };
}

function healthCheck(r: Reader, v: unknown, p: string): ParsedHealthCheck | undefined {
  const o = objectAt(r, v, p);
  if (o === undefined) return undefined;
  let command: { value: string } | undefined;
  // Marathon accepts {"value": "..."}; older clients (python3-marathon) may send a bare string.
  if (typeof o.command === 'string') command = { value: o.command };
  else {
    const c = r.obj(o.command, field(p, 'command'));
    if (c !== undefined) {
      const value = r.str(c.value, field(field(p, 'command'), 'value'));
      if (!present(c.value)) r.issues.add(field(field(p, 'command'), 'value'), MSG.missing);
      if (value !== undefined) command = { value };
    }
  }
  const seconds = (k: string) => r.int(o[k], field(p, k), { min: 0 });
  return {
    protocol: r.enumOf(o.protocol, field(p, 'protocol'), HEALTH_CHECK_PROTOCOLS),
    path: r.str(o.path, field(p, 'path')),
    portIndex: r.int(o.portIndex, field(p, 'portIndex'), { min: 0 }),
    port: r.int(o.port, field(p, 'port'), PORT),
    command,
    gracePeriodSeconds: seconds('gracePeriodSeconds'),
    intervalSeconds: seconds('intervalSeconds'),
    timeoutSeconds: seconds('timeoutSeconds'),
    maxConsecutiveFailures: seconds('maxConsecutiveFailures'),
    delaySeconds: seconds('delaySeconds'),
    ignoreHttp1xx: r.bool(o.ignoreHttp1xx, field(p, 'ignoreHttp1xx')),
    ipProtocol: r.enumOf(o.ipProtocol, field(p, 'ipProtocol'), ['IPv4', 'IPv6'] as const),
  };
}

function readinessCheck(r: Reader, v: unknown, p: string): ParsedReadinessCheck | undefined {
  const o = objectAt(r, v, p);
  if (o === undefined) return undefined;
  const codes = each(r, o.httpStatusCodesForReady, field(p, 'httpStatusCodesForReady'), (x, q) => r.int(x, q, { min: 100, max: 999 }));
  return {
    name: r.str(o.name, field(p, 'name'), { minLength: 1 }),
    protocol: r.enumOf(o.protocol, field(p, 'protocol'), ['HTTP', 'HTTPS'] as const),
    path: r.str(o.path, field(p, 'path'), { minLength: 1, maxLength: 1024 }),
    portName: r.str(o.portName, field(p, 'portName')),
    intervalSeconds: r.int(o.intervalSeconds, field(p, 'intervalSeconds'), { min: 0 }),
    timeoutSeconds: r.int(o.timeoutSeconds, field(p, 'timeoutSeconds'), { min: 1 }),
    httpStatusCodesForReady: codes === undefined ? undefined : [...new Set(codes)],
    preserveLastResponse: r.bool(o.preserveLastResponse, field(p, 'preserveLastResponse')),
  };
}

function env(r: Reader, v: unknown, p: string): Record<string, EnvValue> | undefined {
  const o = r.obj(v, p);
  if (o === undefined) return undefined;
  const out: Record<string, EnvValue> = {};
  for (const [k, x] of Object.entries(o)) {
    const q = field(p, k);
    if (typeof x === 'string') out[k] = x;
    else if (isObject(x) && typeof x.secret === 'string') out[k] = { secret: x.secret };
    else r.issues.add(q, MSG.string);
  }
  return out;
}

/** Unique by JSON form, keeping the first occurrence (Marathon reads these arrays as Sets). */
export function uniqueBy<T>(items: readonly T[], key: (t: T) => string = (t) => JSON.stringify(t)): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function parseApp(r: Reader, o: Raw): ParsedApp {
  const p = (k: string) => `/${k}`;
  const upgrade = r.obj(o.upgradeStrategy, p('upgradeStrategy'));
  const versionInfo = r.obj(o.versionInfo, p('versionInfo'));
  const ip = r.obj(o.ipAddress, p('ipAddress'));
  const residency = r.obj(o.residency, p('residency'));

  let unreachable: ParsedApp['unreachableStrategy'];
  if (typeof o.unreachableStrategy === 'string') {
    if (o.unreachableStrategy.toLowerCase() === 'disabled') unreachable = 'disabled';
    else r.issues.add(p('unreachableStrategy'), MSG.enumLiteral);
  } else {
    const u = r.obj(o.unreachableStrategy, p('unreachableStrategy'));
    if (u !== undefined) {
      unreachable = {
        inactiveAfterSeconds: r.int(u.inactiveAfterSeconds, '/unreachableStrategy/inactiveAfterSeconds', { min: 0 }) ?? 0,
        expungeAfterSeconds: r.int(u.expungeAfterSeconds, '/unreachableStrategy/expungeAfterSeconds', { min: 0 }) ?? 0,
      };
    }
  }

  let vi: ParsedApp['versionInfo'];
  if (versionInfo !== undefined) {
    const a = r.str(versionInfo.lastScalingAt, '/versionInfo/lastScalingAt', { pattern: DATETIME_RE });
    const b = r.str(versionInfo.lastConfigChangeAt, '/versionInfo/lastConfigChangeAt', { pattern: DATETIME_RE });
    if (!present(versionInfo.lastScalingAt)) r.issues.add('/versionInfo/lastScalingAt', MSG.missing);
    if (!present(versionInfo.lastConfigChangeAt)) r.issues.add('/versionInfo/lastConfigChangeAt', MSG.missing);
    if (a !== undefined && b !== undefined) vi = { lastScalingAt: a, lastConfigChangeAt: b };
  }

  let ipAddress: ParsedIpAddress | undefined;
  if (ip !== undefined) {
    const discovery = r.obj(ip.discovery, '/ipAddress/discovery');
    ipAddress = {
      networkName: r.str(ip.networkName, '/ipAddress/networkName'),
      labels: labelsAt(r, ip.labels, '/ipAddress/labels'),
      discoveryPorts: discovery === undefined ? undefined : each(r, discovery.ports, '/ipAddress/discovery/ports', (x, q) => {
        const po = objectAt(r, x, q);
        if (po === undefined) return undefined;
        const number = r.int(po.number, field(q, 'number'), PORT);
        const name = r.str(po.name, field(q, 'name'));
        if (!present(po.number)) r.issues.add(field(q, 'number'), MSG.missing);
        if (!present(po.name)) r.issues.add(field(q, 'name'), MSG.missing);
        const protocol = r.enumOf(po.protocol, field(q, 'protocol'), PORT_PROTOCOLS) ?? 'tcp';
        return number === undefined || name === undefined ? undefined : { number, name, protocol, labels: labelsAt(r, po.labels, field(q, 'labels')) };
      }),
    };
  }

  const secretsObj = r.obj(o.secrets, p('secrets'));
  let secrets: Record<string, { source: string }> | undefined;
  if (secretsObj !== undefined) {
    secrets = {};
    for (const [k, x] of Object.entries(secretsObj)) {
      const q = field('/secrets', k);
      const so = r.obj(x, q);
      if (so === undefined) {
        if (!present(x)) r.issues.add(q, MSG.object);
        continue;
      }
      const source = r.str(so.source, field(q, 'source'));
      if (!present(so.source)) r.issues.add(field(q, 'source'), MSG.missing);
      if (source !== undefined) secrets[k] = { source };
    }
  }

  if (!present(o.id)) r.issues.add(p('id'), MSG.missing);

  return {
    id: r.str(o.id, p('id')),
    cmd: r.str(o.cmd, p('cmd'), { minLength: 1 }),
    args: r.strArray(o.args, p('args')),
    user: r.str(o.user, p('user')),
    env: env(r, o.env, p('env')),
    instances: r.int(o.instances, p('instances'), { min: 0 }),
    cpus: r.num(o.cpus, p('cpus'), { min: 0.001 }),
    mem: r.num(o.mem, p('mem'), { min: 0 }),
    disk: r.num(o.disk, p('disk'), { min: 0 }),
    gpus: r.int(o.gpus, p('gpus'), { min: 0 }),
    executor: r.str(o.executor, p('executor'), { pattern: EXECUTOR_RE }),
    constraints: each(r, o.constraints, p('constraints'), (x, q) => r.strArray(x, q)),
    uris: r.strArray(o.uris, p('uris'), { minLength: 1 }),
    fetch: each(r, o.fetch, p('fetch'), (x, q) => {
      const fo = objectAt(r, x, q);
      if (fo === undefined) return undefined;
      const uri = r.str(fo.uri, field(q, 'uri'), { minLength: 1, maxLength: 1024 });
      if (!present(fo.uri)) r.issues.add(field(q, 'uri'), MSG.missing);
      const art: ParsedArtifact | undefined = uri === undefined ? undefined : {
        uri,
        extract: r.bool(fo.extract, field(q, 'extract')),
        executable: r.bool(fo.executable, field(q, 'executable')),
        cache: r.bool(fo.cache, field(q, 'cache')),
        destPath: r.str(fo.destPath, field(q, 'destPath')),
      };
      return art;
    }),
    storeUrls: r.strArray(o.storeUrls, p('storeUrls'), { minLength: 1 }),
    ports: each(r, o.ports, p('ports'), (x, q) => r.int(x, q, PORT)),
    portDefinitions: each(r, o.portDefinitions, p('portDefinitions'), (x, q) => portDefinition(r, x, q)),
    requirePorts: r.bool(o.requirePorts, p('requirePorts')),
    backoffSeconds: r.int(o.backoffSeconds, p('backoffSeconds'), { min: 0 }),
    backoffFactor: r.num(o.backoffFactor, p('backoffFactor'), { min: 1 }),
    maxLaunchDelaySeconds: r.int(o.maxLaunchDelaySeconds, p('maxLaunchDelaySeconds'), { min: 0 }),
    container: container(r, o.container, p('container')),
    healthChecks: each(r, o.healthChecks, p('healthChecks'), (x, q) => healthCheck(r, x, q)),
    readinessChecks: each(r, o.readinessChecks, p('readinessChecks'), (x, q) => readinessCheck(r, x, q)),
    dependencies: r.strArray(o.dependencies, p('dependencies')),
    upgradeStrategy: upgrade === undefined ? undefined : {
      minimumHealthCapacity: r.num(upgrade.minimumHealthCapacity, '/upgradeStrategy/minimumHealthCapacity', { min: 0, max: 1 }),
      maximumOverCapacity: r.num(upgrade.maximumOverCapacity, '/upgradeStrategy/maximumOverCapacity', { min: 0, max: 1 }),
    },
    labels: r.strMap(o.labels, p('labels')),
    acceptedResourceRoles: r.strArray(o.acceptedResourceRoles, p('acceptedResourceRoles')),
    ipAddress,
    version: r.str(o.version, p('version'), { pattern: DATETIME_RE }),
    versionInfo: vi,
    killSelection: r.enumOf(o.killSelection, p('killSelection'), KILL_SELECTIONS),
    unreachableStrategy: unreachable,
    taskKillGracePeriodSeconds: r.int(o.taskKillGracePeriodSeconds, p('taskKillGracePeriodSeconds'), { min: 0 }),
    networks: each(r, o.networks, p('networks'), (x, q) => {
      const no = objectAt(r, x, q);
      if (no === undefined) return undefined;
      return {
        // RAML: Network.mode defaults to "container"
        mode: r.enumOf(no.mode, field(q, 'mode'), NETWORK_MODES) ?? 'container',
        name: r.str(no.name, field(q, 'name'), { minLength: 1 }),
        labels: labelsAt(r, no.labels, field(q, 'labels')),
      };
    }),
    role: r.str(o.role, p('role'), { minLength: 1 }),
    secrets,
    residency: residency === undefined ? undefined : {
      relaunchEscalationTimeoutSeconds: r.int(residency.relaunchEscalationTimeoutSeconds, '/residency/relaunchEscalationTimeoutSeconds', { min: 0 }) ?? 3600,
      taskLostBehavior: r.enumOf(residency.taskLostBehavior, '/residency/taskLostBehavior', ['WAIT_FOREVER', 'RELAUNCH_AFTER_TIMEOUT'] as const) ?? 'WAIT_FOREVER',
    },
  };
}

