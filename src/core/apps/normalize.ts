import {
  APP_DEFAULTS, HEALTH_CHECK_DEFAULTS, HTTP_FAMILY_PROTOCOLS, MARATHON_SIDE_PROTOCOLS, MESOS_BRIDGE_NAME,
  PORT_MAPPING_DEFAULTS, READINESS_CHECK_DEFAULTS,
} from './defaults';
import { Issues, isObject, Reader } from './json-reader';
import { ParsedApp, ParsedContainer, ParsedPortDefinition, ParsedPortMapping, parseApp, uniqueBy } from './parse';
import { canonicalizeId } from './path-id';
import type {
  AppDefinition, AppParseResult, Artifact, Constraint, Container, ContainerPortMapping, ContainerVolume, HealthCheck,
  Network, NormalizeOptions, PortDefinition, ReadinessCheck, UnreachableStrategy, UpgradeStrategy,
} from './types';
import { validateApp } from './validate';

/**
 * normalizeApp: request JSON → canonical AppDefinition, in Marathon's three phases:
 *  1. read JSON types (parse.ts); type errors stop here, as in Marathon (422 with play-json keys);
 *  2. translate deprecated fields and fill defaults (this file, AppNormalization.scala);
 *  3. validate the canonical app (validate.ts, AppValidation.scala); all problems are reported.
 * Never throws on bad input.
 */
export function normalizeApp(raw: unknown, options: NormalizeOptions = {}): AppParseResult {
  const issues = new Issues();
  if (!isObject(raw)) return { ok: false, details: [{ path: '/', errors: ['error.expected.jsobject'] }] };
  const nul = nulPaths(raw, '');
  if (nul.length > 0) return { ok: false, details: nul.map((path) => ({ path, errors: [`must not contain the NUL character (\\u0000) or nest deeper than ${MAX_DEPTH} levels`] })) };
  const parsed = parseApp(new Reader(issues), raw);
  if (issues.count > 0) return { ok: false, details: issues.details() };

  const app = canonicalize(parsed, options, issues);
  validateApp(app, parsed, options, issues);
  if (issues.count > 0) return { ok: false, details: issues.details() };
  return { ok: true, app };
}

const MAX_DEPTH = 32;

/**
 * Paths of strings (keys or values) holding U+0000 (or nested deeper than MAX_DEPTH), which no JSON store (Postgres jsonb) and no
 * command line can carry: `{"env":{"A":"x\u0000"}}` → ['/env/A']. Bounded by the body's size.
 */
function nulPaths(v: unknown, path: string, out: string[] = [], depth = 0): string[] {
  // No app field nests deeper than a few levels; a pathological body must not overflow the stack.
  if (depth > MAX_DEPTH) {
    out.push(path);
    return out;
  }
  if (typeof v === 'string') {
    if (v.includes('\u0000')) out.push(path || '/');
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => nulPaths(x, `${path}(${i})`, out, depth + 1));
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k.includes('\u0000')) out.push(path || '/');
      else nulPaths(x, `${path}/${k}`, out, depth + 1);
    }
  }
  return out;
}

/** File names the Mesos fetcher extracts (`FetchUri.isExtract`). */
const EXTRACT_SUFFIXES = ['.tgz', '.tar.gz', '.tbz2', '.tar.bz2', '.txz', '.tar.xz', '.zip'];
export const isExtractable = (uri: string): boolean => EXTRACT_SUFFIXES.some((s) => uri.endsWith(s));

function artifacts(p: ParsedApp, issues: Issues): Artifact[] {
  const uris = p.uris ?? [];
  const fetch = p.fetch ?? [];
  if (uris.length > 0 && fetch.length > 0) issues.add('/uris', 'may not be set in conjunction with fetch');
  if (uris.length > 0 && fetch.length === 0) {
    return uris.map((uri) => ({ uri, extract: isExtractable(uri), executable: false, cache: false }));
  }
  return fetch.map((f) => omitUndefined({
    uri: f.uri, extract: f.extract ?? true, executable: f.executable ?? false, cache: f.cache ?? false, destPath: f.destPath,
  }));
}

/**
 * Networks from the canonical `networks` field or from the deprecated `ipAddress` and
 * `container.docker.network` (NetworkTranslation). Example: `{"container":{"docker":{"network":"BRIDGE"}}}`
 * becomes `networks: [{"mode":"container/bridge"}]`.
 */
function networks(p: ParsedApp, issues: Issues): Network[] {
  const dockerNet = p.container?.docker?.network;
  const given = p.networks ?? [];
  const ip = p.ipAddress;
  if (dockerNet !== undefined && given.length > 0) issues.add('/', 'must not specify both container.docker.network and networks');
  if (ip !== undefined && given.length > 0) issues.add('/', 'must not specify both networks and ipAddress');
  let out: Network[] = given.map((n) => omitUndefined({ mode: n.mode, name: n.name, labels: n.labels }));
  const fromDocker = (mode: string, name?: string): Network[] => {
    switch (mode) {
      case 'HOST': return [{ mode: 'host' }];
      case 'USER': return [omitUndefined({ mode: 'container' as const, name, labels: ip?.labels })];
      case 'BRIDGE': return [omitUndefined({ mode: 'container/bridge' as const, labels: ip?.labels })];
      default:
        issues.add('/', `unsupported docker network type ${mode}`);
        return [];
    }
  };
  if (given.length === 0) {
    if (ip !== undefined && dockerNet !== undefined) out = fromDocker(dockerNet, ip.networkName);
    else if (ip !== undefined) {
      out = ip.networkName === MESOS_BRIDGE_NAME
        ? [omitUndefined({ mode: 'container/bridge' as const, labels: ip.labels })]
        : [omitUndefined({ mode: 'container' as const, name: ip.networkName, labels: ip.labels })];
    } else if (dockerNet !== undefined) out = fromDocker(dockerNet);
  }
  return out.length === 0 ? APP_DEFAULTS.networks.map((n) => ({ ...n })) : out;
}

function portDefinitionOut(d: ParsedPortDefinition): PortDefinition {
  return omitUndefined({ port: d.port, protocol: d.protocol, name: d.name, labels: d.labels });
}

function portMappingOut(m: ParsedPortMapping, bridge: boolean): ContainerPortMapping {
  return omitUndefined({
    containerPort: m.containerPort,
    // backwards compatibility: in BRIDGE mode a missing host port means "random" (0)
    hostPort: m.hostPort ?? (bridge ? 0 : undefined),
    servicePort: m.servicePort,
    protocol: m.protocol,
    name: m.name,
    labels: m.labels,
    networkNames: m.networkNames,
  });
}

/**
 * Container normalization (order matters, as in Marathon):
 *   docker.portMappings → container.portMappings; ipAddress.discovery.ports → portMappings (MESOS);
 *   host networking drops portMappings; other networks get one default mapping if none were given,
 *   plus one more per extra declared port definition; bridge fills missing hostPort with 0.
 * Example: `{"networks":[{"mode":"container/bridge"}]}` without container becomes a MESOS container
 * with `portMappings: [{"containerPort":0,"hostPort":0,"servicePort":0,"protocol":"tcp"}]`.
 */
function container(p: ParsedApp, nets: readonly Network[], issues: Issues): Container | undefined {
  const hostNet = nets.some((n) => n.mode === 'host');
  const bridge = nets.some((n) => n.mode === 'container/bridge');
  let c: ParsedContainer | undefined = p.container;
  if (c === undefined && p.ipAddress !== undefined) c = { type: 'MESOS', volumes: [] };
  if (c === undefined && !hostNet) c = { type: 'MESOS', volumes: [] };
  if (c === undefined) return undefined;

  let mappings: ParsedPortMapping[] | undefined = c.portMappings;
  const dockerMappings = c.docker?.portMappings;
  if (dockerMappings !== undefined && dockerMappings.length > 0) {
    if (mappings !== undefined && mappings.length > 0) issues.add('/', 'cannot specify both portMappings and docker.portMappings');
    else mappings = dockerMappings;
  }
  const discovery = p.ipAddress?.discoveryPorts ?? [];
  if (discovery.length > 0) {
    if (c.type === 'DOCKER') issues.add('/ipAddress', 'ipAddress/discovery is not allowed for Docker containers');
    else if (mappings !== undefined && mappings.length > 0) issues.add('/', 'container.portMappings and ipAddress.discovery.ports must not both be set');
    else mappings = discovery.map((d) => ({ containerPort: d.number, servicePort: 0, protocol: d.protocol, name: d.name, labels: d.labels }));
  }
  if (hostNet) mappings = undefined;
  else {
    if (mappings === undefined || mappings.length === 0) mappings = [{ ...PORT_MAPPING_DEFAULTS }];
    const declared = migratedPortDefinitions(p)?.length ?? 0;
    while (mappings.length < declared) mappings = [...mappings, { ...PORT_MAPPING_DEFAULTS }];
  }

  const d = c.docker;
  const volumes: ContainerVolume[] = c.volumes.map((v) => omitUndefined({
    containerPath: v.containerPath ?? '',
    mode: v.mode ?? 'RW',
    hostPath: v.hostPath,
    persistent: v.persistent,
    external: v.external,
    secret: v.secret,
  }));
  return omitUndefined({
    type: c.type,
    docker: d === undefined ? undefined : omitUndefined({
      image: d.image ?? '',
      forcePullImage: d.forcePullImage ?? false,
      privileged: d.privileged ?? false,
      parameters: d.parameters ?? [],
      pullConfig: d.pullConfig,
    }),
    volumes,
    portMappings: mappings?.map((m) => portMappingOut(m, bridge)),
  });
}

/** `portDefinitions`, or the deprecated `ports` turned into port definitions (no names). */
export function migratedPortDefinitions(p: ParsedApp): ParsedPortDefinition[] | undefined {
  return p.portDefinitions ?? p.ports?.map((port) => ({ port, protocol: 'tcp' as const }));
}

function healthCheckOut(h: NonNullable<ParsedApp['healthChecks']>[number], portCount: number): HealthCheck {
  // a bare `command` without protocol is a COMMAND check (Marathon 0.x shape)
  const protocol = h.protocol ?? (h.command !== undefined ? 'COMMAND' : HEALTH_CHECK_DEFAULTS.protocol);
  const isCommand = protocol === 'COMMAND';
  const httpFamily = HTTP_FAMILY_PROTOCOLS.has(protocol);
  // Marathon re-adds portIndex 0 when neither port nor portIndex is given and the app has ports.
  const portIndex = !isCommand && h.port === undefined && h.portIndex === undefined && portCount > 0 ? 0 : h.portIndex;
  return omitUndefined({
    protocol,
    path: httpFamily ? h.path ?? HEALTH_CHECK_DEFAULTS.path : undefined,
    portIndex: isCommand ? undefined : portIndex,
    port: isCommand ? undefined : h.port,
    command: isCommand ? h.command : undefined,
    gracePeriodSeconds: h.gracePeriodSeconds ?? HEALTH_CHECK_DEFAULTS.gracePeriodSeconds,
    intervalSeconds: h.intervalSeconds ?? HEALTH_CHECK_DEFAULTS.intervalSeconds,
    timeoutSeconds: h.timeoutSeconds ?? HEALTH_CHECK_DEFAULTS.timeoutSeconds,
    maxConsecutiveFailures: h.maxConsecutiveFailures ?? HEALTH_CHECK_DEFAULTS.maxConsecutiveFailures,
    delaySeconds: h.delaySeconds ?? HEALTH_CHECK_DEFAULTS.delaySeconds,
    ignoreHttp1xx: MARATHON_SIDE_PROTOCOLS.has(protocol) && protocol !== 'TCP' ? h.ignoreHttp1xx ?? false : undefined,
    ipProtocol: h.ipProtocol ?? 'IPv4',
  });
}

function readinessOut(r: NonNullable<ParsedApp['readinessChecks']>[number]): ReadinessCheck {
  const d = READINESS_CHECK_DEFAULTS;
  return {
    name: r.name ?? d.name,
    protocol: r.protocol ?? d.protocol,
    path: r.path ?? d.path,
    portName: r.portName ?? d.portName,
    intervalSeconds: r.intervalSeconds ?? d.intervalSeconds,
    timeoutSeconds: r.timeoutSeconds ?? d.timeoutSeconds,
    // an empty list means "the default" (AppNormalization.normalizeReadinessCheck)
    httpStatusCodesForReady: r.httpStatusCodesForReady !== undefined && r.httpStatusCodesForReady.length > 0
      ? r.httpStatusCodesForReady : [...d.httpStatusCodesForReady],
    preserveLastResponse: r.preserveLastResponse ?? d.preserveLastResponse,
  };
}

function canonicalize(p: ParsedApp, options: NormalizeOptions, issues: Issues): AppDefinition {
  const base = canonicalizeId(options.base ?? '/');
  const nets = networks(p, issues);
  const hostNet = nets.some((n) => n.mode === 'host');
  const ctr = container(p, nets, issues);
  const persistent = (ctr?.volumes ?? []).some((v) => v.persistent !== undefined);

  // Port definitions only exist with host networking; Marathon silently drops them otherwise.
  const migrated = migratedPortDefinitions(p);
  const portDefinitions = hostNet
    ? (migrated ?? APP_DEFAULTS.portDefinitions).map(portDefinitionOut)
    : undefined;
  const portCount = portDefinitions?.length ?? ctr?.portMappings?.length ?? 0;

  const residency = p.residency ?? (persistent ? { ...APP_DEFAULTS.residency } : undefined);
  const defaultUpgrade = residency !== undefined ? APP_DEFAULTS.residentUpgradeStrategy : APP_DEFAULTS.upgradeStrategy;
  const upgradeStrategy: UpgradeStrategy = {
    minimumHealthCapacity: p.upgradeStrategy?.minimumHealthCapacity ?? defaultUpgrade.minimumHealthCapacity,
    maximumOverCapacity: p.upgradeStrategy?.maximumOverCapacity ?? defaultUpgrade.maximumOverCapacity,
  };
  const unreachableStrategy: UnreachableStrategy = p.unreachableStrategy
    ?? (persistent ? 'disabled' : { ...APP_DEFAULTS.unreachableStrategy });

  const roles = p.acceptedResourceRoles === undefined ? undefined : uniqueBy(p.acceptedResourceRoles, (s) => s);
  const id = p.id ?? '';

  return omitUndefined({
    id: canonicalizeId(id, base),
    acceptedResourceRoles: roles,
    args: p.args !== undefined && p.args.length > 0 ? p.args : undefined,
    backoffFactor: p.backoffFactor ?? APP_DEFAULTS.backoffFactor,
    backoffSeconds: p.backoffSeconds ?? APP_DEFAULTS.backoffSeconds,
    cmd: p.cmd,
    constraints: uniqueBy(p.constraints ?? []) as unknown as Constraint[],
    container: ctr,
    cpus: p.cpus ?? APP_DEFAULTS.cpus,
    dependencies: uniqueBy((p.dependencies ?? []).map((d) => canonicalizeId(d, base)), (s) => s),
    disk: p.disk ?? APP_DEFAULTS.disk,
    env: p.env ?? {},
    executor: p.executor ?? APP_DEFAULTS.executor,
    fetch: artifacts(p, issues),
    gpus: p.gpus ?? APP_DEFAULTS.gpus,
    healthChecks: uniqueBy((p.healthChecks ?? []).map((h) => healthCheckOut(h, portCount))),
    instances: p.instances ?? APP_DEFAULTS.instances,
    labels: p.labels ?? {},
    maxLaunchDelaySeconds: p.maxLaunchDelaySeconds ?? APP_DEFAULTS.maxLaunchDelaySeconds,
    mem: p.mem ?? APP_DEFAULTS.mem,
    networks: nets,
    portDefinitions,
    readinessChecks: (p.readinessChecks ?? []).map(readinessOut),
    residency,
    // requirePorts only applies to host networking
    requirePorts: hostNet ? p.requirePorts ?? APP_DEFAULTS.requirePorts : false,
    role: p.role ?? options.defaultRole,
    secrets: p.secrets ?? {},
    storeUrls: p.storeUrls !== undefined && p.storeUrls.length > 0 ? p.storeUrls : undefined,
    taskKillGracePeriodSeconds: p.taskKillGracePeriodSeconds,
    upgradeStrategy,
    user: p.user,
    version: p.version,
    versionInfo: p.versionInfo,
    killSelection: p.killSelection ?? APP_DEFAULTS.killSelection,
    unreachableStrategy,
  });
}

/** Drops keys whose value is undefined so the object is exactly what JSON would carry. */
export function omitUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
