import {
  LABEL_DCOS_MIGRATION_API_PATH, LABEL_DCOS_MIGRATION_API_VERSION, LABEL_DCOS_PACKAGE_FRAMEWORK_NAME,
  LABEL_SINGLE_INSTANCE_APP, MARATHON_SIDE_PROTOCOLS,
} from './defaults';
import { field, index, Issues } from './json-reader';
import type { ParsedApp } from './parse';
import { ID_MESSAGES, idErrors, idSegments } from './path-id';
import type { AppDefinition, NormalizeOptions } from './types';

/**
 * Semantic validation of a canonical app (Marathon `AppValidation.validateCanonicalAppAPI` and
 * friends). Messages are Marathon's; app-wide rules are reported at path "/", as Marathon does.
 */

export const MESSAGES = Object.freeze({
  cmdArgsContainer: "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.",
  emptyCmd: 'must not be an empty string',
  portNamesUnique: 'Port names must be unique.',
  portsUnique: 'Ports must be unique.',
  legacyPortsUnique: 'ports must be unique',
  portsAndDefinitions: 'cannot specify both ports and port definitions',
  healthCheckPortIndex: 'Health check port indices must address an element of the ports array or container port mappings.',
  oneMesosHealthCheck: 'AppDefinition can contain at most one Mesos health check',
  ipv6: 'IPv6 can only be used for container type DOCKER and Mesos http/https/tcp health checks',
  portXorPortIndex: 'HealthCheck must specify either a port or a portIndex',
  commandRequired: 'A command is required when using the COMMAND health check protocol.',
  singleInstance: 'Single instance app may only have one instance',
  residency: 'App must contain persistent volumes and define residency',
  residentUnreachable: 'unreachableStrategy must be disabled for resident tasks',
  migrationApi: 'DCOS_PACKAGE_FRAMEWORK_NAME and DCOS_MIGRATION_API_PATH must be defined when using DCOS_MIGRATION_API_VERSION',
  gpuDocker: 'GPU resources only work with the Mesos containerizer',
  notEmpty: 'must not be empty',
  dockerSingleNetwork: 'may only specify a single container network when using the Docker container engine',
  hostNetworkNames: 'Host networks may not have names or labels',
  bridgeNetworkNames: 'Bridge networks may not have names',
  duplicateNetworks: 'Duplicate networks are not allowed',
  networkModes: 'Must specify either a single host network, a single bridge network, or only container networks',
  containerNetworkName: 'Network name must be specified when container network is selected.',
  networkNameForHostPort: 'networkNames must be a single item list when hostPort is specified and more than 1 container network is defined',
  pullConfigDocker: 'pullConfig is not supported with Docker containerizer',
  pullConfigSecret: 'pullConfig.secret must refer to an existing secret',
  mesosSingleImage: 'mesos containers should specify, at most, a single image type',
  constraintArity: 'Each constraint must have either 2 or 3 fields',
  constraintOperator: 'Constraint operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS',
  constraintMissingField: 'Missing field and operator',
  constraintUniqueValue: 'Value specified but not used',
  constraintGroupBy: 'Value was specified but is not a number',
  constraintMaxPer: 'Value was not specified or is not a number',
  constraintRegexMissing: 'A regular expression value must be provided',
  constraintIsValue: "Value must match '^[a-zA-Z0-9_/.-]*$'",
  feature: (f: string) => `Feature ${f} is not enabled. Enable with --enable_features ${f})`,
  regex: (v: string) => `'${v}' is not a valid regular expression`,
  noPortName: (n: string) => `No port definition reference for portName ${n}`,
  envSecret: (s: string) => `references an undefined secret named '${s}'`,
  unreachableOrder: 'inactiveAfterSeconds must be less than or equal to expungeAfterSeconds',
});

/** Scala's Double.toString for the accord messages ("got 1.0, expected 0.0"). */
const dbl = (n: number): string => (Number.isInteger(n) ? n.toFixed(1) : String(n));

const INT_RE = /^[-+]?\d+$/;
const IS_VALUE_RE = /^[a-zA-Z0-9_/.-]*$/;
// Java's Integer.parseInt range
const isJavaInt = (v: string): boolean => INT_RE.test(v) && Math.abs(Number(v)) <= 2147483647;

/**
 * Java regex syntax is close enough to JS for validity checks; the `u`-less JS engine accepts a
 * superset in places (e.g. lone `]`), which only makes us a bit more lenient than Marathon.
 */
function isValidRegex(v: string): boolean {
  try {
    new RegExp(v);
    return true;
  } catch {
    return false;
  }
}

function constraintErrors(c: readonly string[]): string[] {
  if (c.length < 2 || c.length > 3) return [MESSAGES.constraintArity];
  const [fieldName, op, value] = c;
  if (fieldName.length === 0) return [MESSAGES.constraintMissingField];
  switch (op) {
    case 'UNIQUE':
      return value === undefined ? [] : [MESSAGES.constraintUniqueValue];
    case 'CLUSTER':
      return [];
    case 'GROUP_BY':
      return value === undefined || value === '' || isJavaInt(value) ? [] : [MESSAGES.constraintGroupBy];
    case 'MAX_PER':
      return value !== undefined && isJavaInt(value) ? [] : [MESSAGES.constraintMaxPer];
    case 'LIKE':
    case 'UNLIKE':
      if (value === undefined) return [MESSAGES.constraintRegexMissing];
      return isValidRegex(value) ? [] : [MESSAGES.regex(value)];
    case 'IS':
      return value !== undefined && IS_VALUE_RE.test(value) ? [] : [MESSAGES.constraintIsValue];
    default:
      return [MESSAGES.constraintOperator];
  }
}

export function validateApp(app: AppDefinition, parsed: ParsedApp, options: NormalizeOptions, issues: Issues): void {
  const features = new Set(options.enabledFeatures ?? []);

  // --- id and dependencies
  for (const e of idErrors(app.id)) issues.add('/id', e);
  if (idSegments(app.id).length === 0) issues.add('/', ID_MESSAGES.root);
  app.dependencies.forEach((d, i) => {
    for (const e of idErrors(d)) issues.add(index('/dependencies', i), e);
  });

  // --- command
  if (app.cmd !== undefined && app.cmd.length <= 1) issues.add('/', MESSAGES.emptyCmd);
  const hasCmd = app.cmd !== undefined;
  const hasArgs = app.args !== undefined && app.args.length > 0;
  const c = app.container;
  const hasImage = c !== undefined && c.docker !== undefined;
  if (!((hasCmd !== hasArgs) || (!(hasCmd && hasArgs) && hasImage))) issues.add('/', MESSAGES.cmdArgsContainer);

  // --- legacy ports
  const legacy = parsed.ports ?? [];
  const nonZero = legacy.filter((p) => p !== 0);
  if (new Set(nonZero).size !== nonZero.length) issues.add('/', MESSAGES.legacyPortsUnique);
  if (parsed.ports !== undefined && parsed.portDefinitions !== undefined
    && JSON.stringify(parsed.portDefinitions.map((d) => d.port)) !== JSON.stringify(parsed.ports)) {
    issues.add('/', MESSAGES.portsAndDefinitions);
  }

  // --- port definitions
  const defs = app.portDefinitions ?? [];
  const defNames = defs.flatMap((d) => (d.name === undefined ? [] : [d.name]));
  if (new Set(defNames).size !== defNames.length) issues.add('/portDefinitions', MESSAGES.portNamesUnique);
  const defPorts = defs.map((d) => d.port).filter((p) => p !== 0);
  if (new Set(defPorts).size !== defPorts.length) issues.add('/portDefinitions', MESSAGES.portsUnique);

  // --- networks
  const nets = app.networks;
  const host = nets.filter((n) => n.mode === 'host');
  const bridge = nets.filter((n) => n.mode === 'container/bridge');
  const containerNets = nets.filter((n) => n.mode === 'container');
  if (host.some((n) => n.name !== undefined || n.labels !== undefined)) issues.add('/networks', MESSAGES.hostNetworkNames);
  if (bridge.some((n) => n.name !== undefined)) issues.add('/networks', MESSAGES.bridgeNetworkNames);
  const netNames = containerNets.flatMap((n) => (n.name === undefined ? [] : [n.name]));
  if (new Set(netNames).size !== netNames.length) issues.add('/networks', MESSAGES.duplicateNetworks);
  const modesOk = (host.length === 1 && bridge.length === 0 && containerNets.length === 0)
    || (host.length === 0 && bridge.length === 1 && containerNets.length === 0)
    || (host.length === 0 && bridge.length === 0 && containerNets.length > 0);
  if (!modesOk) issues.add('/networks', MESSAGES.networkModes);
  if (containerNets.some((n) => n.name === undefined)) issues.add('/networks', MESSAGES.containerNetworkName);

  // --- container
  if (c !== undefined) {
    const mappings = c.portMappings ?? [];
    const pmNames = mappings.flatMap((m) => (m.name === undefined ? [] : [m.name]));
    if (new Set(pmNames).size !== pmNames.length) issues.add('/container/portMappings', MESSAGES.portNamesUnique);
    mappings.forEach((m, i) => {
      const p = index('/container/portMappings', i);
      for (const n of m.networkNames ?? []) {
        if (!netNames.includes(n)) issues.add(field(p, 'networkNames'), `${n} is not one of (${netNames.join(',')})`);
      }
      if (containerNets.length > 1 && m.hostPort !== undefined && (m.networkNames ?? []).length !== 1) {
        issues.add(p, MESSAGES.networkNameForHostPort);
      }
    });
    if (c.type === 'DOCKER') {
      if (c.docker === undefined) issues.add('/container/docker', 'not defined');
      else {
        if (c.docker.image.length === 0) issues.add('/container/docker/image', MESSAGES.notEmpty);
        if (c.docker.pullConfig !== undefined) issues.add('/container/docker/pullConfig', MESSAGES.pullConfigDocker);
      }
      if (containerNets.length > 1) issues.add('/', MESSAGES.dockerSingleNetwork);
    } else if (c.docker !== undefined) {
      if (c.docker.image.length === 0) issues.add('/container/docker/image', MESSAGES.notEmpty);
      const pc = c.docker.pullConfig;
      if (pc !== undefined) {
        if (!features.has('secrets')) issues.add('/container/docker/pullConfig', MESSAGES.feature('secrets'));
        else if (app.secrets[pc.secret] === undefined) issues.add('/container/docker/pullConfig', MESSAGES.pullConfigSecret);
      }
      // the old API allowed Docker-engine-only fields on MESOS containers; Marathon rejects them
      if (parsed.container?.docker?.parameters !== undefined && parsed.container.docker.parameters.length > 0) {
        issues.add('/container/docker/parameters', 'must be empty');
      }
    }
    if (parsed.container?.docker?.credential !== undefined) issues.add('/container/docker/credential', 'must be empty');
    c.volumes.forEach((v, i) => {
      const p = index('/container/volumes', i);
      if (v.persistent !== undefined) {
        if (v.containerPath === '' || v.containerPath === '.' || v.containerPath === '..') issues.add(field(p, 'containerPath'), MESSAGES.notEmpty);
        if (v.containerPath.includes('/')) issues.add(field(p, 'containerPath'), 'value must not contain "/"');
        if (v.mode !== 'RW') issues.add(field(p, 'mode'), 'got RO, expected RW');
        const size = v.persistent.size;
        if (typeof size !== 'number' || size <= 0) issues.add(field(field(p, 'persistent'), 'size'), `got ${String(size)}, expected more than 0`);
      } else if (v.external !== undefined) {
        if (v.containerPath === '') issues.add(field(p, 'containerPath'), MESSAGES.notEmpty);
        if (!features.has('external_volumes')) issues.add(p, MESSAGES.feature('external_volumes'));
      } else if (v.secret !== undefined) {
        if (app.secrets[v.secret] === undefined) issues.add(p, 'volume.secret must refer to an existing secret');
      } else {
        if (v.containerPath === '') issues.add(field(p, 'containerPath'), MESSAGES.notEmpty);
        if (v.hostPath === undefined || v.hostPath === '') issues.add(field(p, 'hostPath'), MESSAGES.notEmpty);
      }
    });
  }

  // --- health checks
  const portCount = app.portDefinitions?.length ?? c?.portMappings?.length ?? 0;
  let mesosChecks = 0;
  app.healthChecks.forEach((h, i) => {
    const p = index('/healthChecks', i);
    if (h.protocol === 'COMMAND' && h.command === undefined) issues.add(p, MESSAGES.commandRequired);
    if (MARATHON_SIDE_PROTOCOLS.has(h.protocol)) {
      const ok = h.portIndex !== undefined ? h.portIndex < portCount : h.port !== undefined || portCount === 1;
      if (!ok) issues.add(p, MESSAGES.healthCheckPortIndex);
    } else if (h.protocol !== 'COMMAND') {
      if (h.portIndex !== undefined && h.portIndex >= portCount) issues.add(p, MESSAGES.healthCheckPortIndex);
    }
    // state-level rule for every port-based check: exactly one of port / portIndex
    if (h.protocol !== 'COMMAND' && (h.port !== undefined) === (h.portIndex !== undefined)) issues.add(p, MESSAGES.portXorPortIndex);
    const mesosNetCheck = h.protocol === 'MESOS_HTTP' || h.protocol === 'MESOS_HTTPS' || h.protocol === 'MESOS_TCP';
    if (h.ipProtocol !== 'IPv4' && !(mesosNetCheck && c?.type === 'DOCKER')) issues.add(p, MESSAGES.ipv6);
    // COMMAND checks are tolerated in any number (older Marathons stored several)
    if (mesosNetCheck) mesosChecks += 1;
  });
  if (mesosChecks > 1) issues.add('/', MESSAGES.oneMesosHealthCheck);

  // --- readiness checks
  if (app.readinessChecks.length > 1) issues.add('/readinessChecks', `got ${app.readinessChecks.length}, expected 1 or less`);
  const portNames = new Set(
    c?.portMappings !== undefined ? c.portMappings.flatMap((m) => (m.name === undefined ? [] : [m.name])) : defNames,
  );
  app.readinessChecks.forEach((r, i) => {
    const p = index('/readinessChecks', i);
    if (!portNames.has(r.portName)) issues.add(field(p, 'portName'), MESSAGES.noPortName(r.portName));
    if (!(r.timeoutSeconds < r.intervalSeconds)) {
      issues.add(field(p, 'timeoutSeconds'), `got ${r.timeoutSeconds}, expected less than ${r.intervalSeconds}`);
    }
  });

  // --- env and secrets
  const secretNames = Object.keys(app.secrets);
  if (secretNames.length > 0 && !features.has('secrets')) issues.add('/secrets', MESSAGES.feature('secrets'));
  for (const [k, v] of Object.entries(app.env)) {
    if (typeof v === 'string') continue;
    if (!features.has('secrets')) issues.add(field('/env', k), MESSAGES.feature('secrets'));
    else if (app.secrets[v.secret] === undefined) issues.add(field('/env', k), MESSAGES.envSecret(v.secret));
  }

  // --- roles
  if (app.acceptedResourceRoles !== undefined && app.acceptedResourceRoles.length === 0) {
    issues.add('/acceptedResourceRoles', MESSAGES.notEmpty);
  }

  // --- gpus
  if (app.gpus > 0) {
    if (c?.type === 'DOCKER') issues.add('/', MESSAGES.gpuDocker);
    if (!features.has('gpu_resources')) issues.add('/', MESSAGES.feature('gpu_resources'));
  }

  // --- DC/OS migration labels
  const apiVersion = app.labels[LABEL_DCOS_MIGRATION_API_VERSION];
  if (apiVersion !== undefined && apiVersion.length > 0) {
    const ok = apiVersion === 'v1'
      && (app.labels[LABEL_DCOS_PACKAGE_FRAMEWORK_NAME] ?? '').length > 0
      && (app.labels[LABEL_DCOS_MIGRATION_API_PATH] ?? '').length > 0;
    if (!ok) issues.add('/', MESSAGES.migrationApi);
  }

  // --- single-instance label: at most one instance, and an upgrade that never overlaps (0/0)
  const us = app.upgradeStrategy;
  if (app.labels[LABEL_SINGLE_INSTANCE_APP] === 'true') {
    if (app.instances > 1) issues.add('/', MESSAGES.singleInstance);
    if (us.minimumHealthCapacity !== 0) issues.add('/upgradeStrategy/minimumHealthCapacity', `got ${dbl(us.minimumHealthCapacity)}, expected 0.0`);
    if (us.maximumOverCapacity !== 0) issues.add('/upgradeStrategy/maximumOverCapacity', `got ${dbl(us.maximumOverCapacity)}, expected 0.0`);
  }

  // --- resident apps (persistent volumes): no over-capacity (the volumes are pinned to agents)
  const persistent = (c?.volumes ?? []).some((v) => v.persistent !== undefined);
  if (parsed.residency !== undefined && !persistent) issues.add('/', MESSAGES.residency);
  if (app.residency !== undefined) {
    if (us.maximumOverCapacity !== 0) issues.add('/upgradeStrategy/maximumOverCapacity', `got ${dbl(us.maximumOverCapacity)}, expected 0.0`);
    if (app.unreachableStrategy !== 'disabled') issues.add('/', MESSAGES.residentUnreachable);
  }

  // --- unreachable strategy
  const un = app.unreachableStrategy;
  if (un !== 'disabled' && un.inactiveAfterSeconds > un.expungeAfterSeconds) issues.add('/unreachableStrategy', MESSAGES.unreachableOrder);

  // --- constraints
  // indices refer to the request's array (the app's list is de-duplicated)
  (parsed.constraints ?? []).forEach((k, i) => {
    for (const e of constraintErrors(k)) issues.add(index('/constraints', i), e);
  });
}
