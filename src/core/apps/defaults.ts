import type { HealthCheck, ReadinessCheck, UnreachableEnabled, UpgradeStrategy } from './types';

/**
 * Marathon 1.10 defaults (reference §2, §8). `maxLaunchDelaySeconds` is 300 since Marathon 1.8
 * (3600 before); `unreachableStrategy` is {0,0} since 1.5.1.
 */
export const APP_DEFAULTS = Object.freeze({
  instances: 1,
  cpus: 1,
  mem: 128,
  disk: 0,
  gpus: 0,
  executor: '',
  backoffSeconds: 1,
  backoffFactor: 1.15,
  maxLaunchDelaySeconds: 300,
  requirePorts: false,
  killSelection: 'YOUNGEST_FIRST' as const,
  upgradeStrategy: Object.freeze({ minimumHealthCapacity: 1, maximumOverCapacity: 1 }) as UpgradeStrategy,
  /** resident apps (persistent volumes) */
  residentUpgradeStrategy: Object.freeze({ minimumHealthCapacity: 0.5, maximumOverCapacity: 0 }) as UpgradeStrategy,
  unreachableStrategy: Object.freeze({ inactiveAfterSeconds: 0, expungeAfterSeconds: 0 }) as UnreachableEnabled,
  /** host networking without ports/portDefinitions: one dynamic port */
  portDefinitions: Object.freeze([Object.freeze({ port: 0, protocol: 'tcp' as const, name: 'default' })]),
  networks: Object.freeze([Object.freeze({ mode: 'host' as const })]),
  residency: Object.freeze({ relaunchEscalationTimeoutSeconds: 3600, taskLostBehavior: 'WAIT_FOREVER' as const }),
});

export const HEALTH_CHECK_DEFAULTS = Object.freeze({
  protocol: 'HTTP',
  path: '/',
  gracePeriodSeconds: 300,
  intervalSeconds: 60,
  timeoutSeconds: 20,
  maxConsecutiveFailures: 3,
  delaySeconds: 15,
  ignoreHttp1xx: false,
  ipProtocol: 'IPv4',
} satisfies Partial<HealthCheck>);

export const READINESS_CHECK_DEFAULTS: ReadinessCheck = Object.freeze({
  name: 'readinessCheck',
  protocol: 'HTTP',
  path: '/',
  portName: 'http-api',
  intervalSeconds: 30,
  timeoutSeconds: 10,
  httpStatusCodesForReady: Object.freeze([200]),
  preserveLastResponse: false,
});

export const PORT_MAPPING_DEFAULTS = Object.freeze({ containerPort: 0, servicePort: 0, protocol: 'tcp' as const });

/** Special label: at most one instance and upgradeStrategy {0,0}. */
export const LABEL_SINGLE_INSTANCE_APP = 'MARATHON_SINGLE_INSTANCE_APP';
export const LABEL_DCOS_MIGRATION_API_VERSION = 'DCOS_MIGRATION_API_VERSION';
export const LABEL_DCOS_MIGRATION_API_PATH = 'DCOS_MIGRATION_API_PATH';
export const LABEL_DCOS_PACKAGE_FRAMEWORK_NAME = 'DCOS_PACKAGE_FRAMEWORK_NAME';

/** Marathon's default bridge network name; `ipAddress.networkName` equal to it means bridge mode. */
export const MESOS_BRIDGE_NAME = 'mesos-bridge';

export const HEALTH_CHECK_PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP'] as const;
/** Run by the leader (Marathon-side); the others run on the agent (Mesos-side). */
export const MARATHON_SIDE_PROTOCOLS: ReadonlySet<string> = new Set(['HTTP', 'HTTPS', 'TCP']);
export const HTTP_FAMILY_PROTOCOLS: ReadonlySet<string> = new Set(['HTTP', 'HTTPS', 'MESOS_HTTP', 'MESOS_HTTPS']);
export const CONSTRAINT_OPERATORS = ['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER', 'IS'] as const;
export const KILL_SELECTIONS = ['YOUNGEST_FIRST', 'OLDEST_FIRST'] as const;
export const PORT_PROTOCOLS = ['tcp', 'udp', 'udp,tcp'] as const;
export const NETWORK_MODES = ['host', 'container/bridge', 'container'] as const;

/**
 * Every key an AppDefinition may carry, in Marathon's output order. Anything else must never be
 * emitted: python3-marathon 0.13 rejects unknown keys (reference §9: no tty, check, resourceLimits,
 * executorResources).
 */
export const APP_KEYS = [
  'id', 'acceptedResourceRoles', 'args', 'backoffFactor', 'backoffSeconds', 'cmd', 'constraints', 'container',
  'cpus', 'dependencies', 'disk', 'env', 'executor', 'fetch', 'gpus', 'healthChecks', 'instances', 'labels',
  'maxLaunchDelaySeconds', 'mem', 'networks', 'portDefinitions', 'readinessChecks', 'residency', 'requirePorts',
  'role', 'secrets', 'storeUrls', 'taskKillGracePeriodSeconds', 'upgradeStrategy', 'user', 'version', 'versionInfo',
  'killSelection', 'unreachableStrategy',
] as const;

/** Keys of the sub-objects python3-marathon parses strictly. */
export const PORT_DEFINITION_KEYS = ['port', 'protocol', 'name', 'labels'] as const;
export const READINESS_CHECK_KEYS = [
  'name', 'protocol', 'path', 'portName', 'intervalSeconds', 'timeoutSeconds', 'httpStatusCodesForReady', 'preserveLastResponse',
] as const;
export const CONTAINER_KEYS = ['type', 'docker', 'volumes', 'portMappings'] as const;
export const PORT_MAPPING_KEYS = ['containerPort', 'hostPort', 'servicePort', 'protocol', 'name', 'labels', 'networkNames'] as const;
