/**
 * Marathon's AppDefinition in its normalized (canonical) form: exactly the JSON Marathon 1.10 returns
 * under `GET /v2/apps/{id}` → `app`, before the status fields (tasksStaged, deployments, ...).
 *
 * Conventions (see reference §2, §9):
 * - Deprecated request fields (`ports`, `uris`, `ipAddress`, `container.docker.network`,
 *   `container.docker.portMappings`) never appear here: normalizeApp translates them.
 * - Optional scalar fields that Marathon omits when unset are optional here and absent (never null).
 * - Collections are always present (possibly empty) so that consumers never need `?? []`;
 *   python3-marathon and Marathon's own readers accept empty collections.
 * - Every object is plain JSON (no class instances, no undefined values), so `JSON.stringify` and a
 *   JSONB column round-trip it unchanged.
 */

import type { ValidationDetail } from '../errors';

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [k: string]: JsonValue };

export type PortProtocol = 'tcp' | 'udp' | 'udp,tcp';
export type NetworkMode = 'host' | 'container/bridge' | 'container';
export type ContainerType = 'DOCKER' | 'MESOS';
export type KillSelection = 'YOUNGEST_FIRST' | 'OLDEST_FIRST';
export type HealthCheckProtocol = 'HTTP' | 'HTTPS' | 'TCP' | 'COMMAND' | 'MESOS_HTTP' | 'MESOS_HTTPS' | 'MESOS_TCP';
export type ReadinessCheckProtocol = 'HTTP' | 'HTTPS';
export type IpProtocol = 'IPv4' | 'IPv6';
export type ConstraintOperator = 'UNIQUE' | 'CLUSTER' | 'GROUP_BY' | 'LIKE' | 'UNLIKE' | 'MAX_PER' | 'IS';
export type TaskLostBehavior = 'WAIT_FOREVER' | 'RELAUNCH_AFTER_TIMEOUT';

export type Labels = Readonly<Record<string, string>>;

/** `["hostname","UNIQUE"]` or `["rack","GROUP_BY","3"]`: field, operator, optional value. */
export type Constraint = readonly [string, string] | readonly [string, string, string];

/** An env value is a literal or a reference to an entry of `secrets`. */
export type EnvValue = string | { readonly secret: string };

export interface PortDefinition {
  /** 0 = "assign a service port" (host networking, requirePorts=false) */
  readonly port: number;
  readonly protocol: PortProtocol;
  readonly name?: string;
  /** omitted when empty */
  readonly labels?: Labels;
}

export interface ContainerPortMapping {
  readonly containerPort: number;
  /** absent = no host port (container networks); bridge networking defaults it to 0 (random) */
  readonly hostPort?: number;
  readonly servicePort: number;
  readonly protocol: PortProtocol;
  readonly name?: string;
  /** omitted when empty */
  readonly labels?: Labels;
  /** omitted when empty (python3-marathon does not know this key) */
  readonly networkNames?: readonly string[];
}

export interface DockerParameter {
  readonly key: string;
  readonly value: string;
}

export interface DockerContainer {
  readonly image: string;
  readonly forcePullImage: boolean;
  readonly privileged: boolean;
  readonly parameters: readonly DockerParameter[];
  /** UCR only; needs the secrets feature */
  readonly pullConfig?: { readonly secret: string };
}

/** Host, persistent, external or secret volume; sub-objects are kept as stored data. */
export interface ContainerVolume {
  readonly containerPath: string;
  readonly mode: 'RO' | 'RW';
  readonly hostPath?: string;
  readonly persistent?: { readonly [k: string]: JsonValue };
  readonly external?: { readonly [k: string]: JsonValue };
  readonly secret?: string;
}

export interface Container {
  readonly type: ContainerType;
  readonly docker?: DockerContainer;
  readonly volumes: readonly ContainerVolume[];
  /** present only with non-host networking (Marathon drops it for host networking) */
  readonly portMappings?: readonly ContainerPortMapping[];
}

export interface Network {
  readonly mode: NetworkMode;
  readonly name?: string;
  /** omitted when empty */
  readonly labels?: Labels;
}

export interface Artifact {
  readonly uri: string;
  readonly extract: boolean;
  readonly executable: boolean;
  readonly cache: boolean;
  readonly destPath?: string;
}

export interface HealthCheck {
  readonly protocol: HealthCheckProtocol;
  /** HTTP, HTTPS, MESOS_HTTP, MESOS_HTTPS only; default "/" */
  readonly path?: string;
  /** index into portDefinitions / container.portMappings; defaulted to 0 when neither port nor portIndex is given */
  readonly portIndex?: number;
  readonly port?: number;
  /** COMMAND only */
  readonly command?: { readonly value: string };
  readonly gracePeriodSeconds: number;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly maxConsecutiveFailures: number;
  readonly delaySeconds: number;
  /** Marathon-side HTTP/HTTPS only */
  readonly ignoreHttp1xx?: boolean;
  readonly ipProtocol: IpProtocol;
}

export interface ReadinessCheck {
  readonly name: string;
  readonly protocol: ReadinessCheckProtocol;
  readonly path: string;
  readonly portName: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly httpStatusCodesForReady: readonly number[];
  readonly preserveLastResponse: boolean;
}

export interface UpgradeStrategy {
  readonly minimumHealthCapacity: number;
  readonly maximumOverCapacity: number;
}

export interface UnreachableEnabled {
  readonly inactiveAfterSeconds: number;
  readonly expungeAfterSeconds: number;
}
export type UnreachableStrategy = UnreachableEnabled | 'disabled';

export interface Residency {
  readonly relaunchEscalationTimeoutSeconds: number;
  readonly taskLostBehavior: TaskLostBehavior;
}

export interface VersionInfo {
  /** last change of any kind, including scale-only */
  readonly lastScalingAt: string;
  /** last change that required a restart (config change or /restart) */
  readonly lastConfigChangeAt: string;
}

export interface Secret {
  readonly source: string;
}

export interface AppDefinition {
  readonly id: string;
  /** omitted when unset (Marathon never emits an empty list) */
  readonly acceptedResourceRoles?: readonly string[];
  /** omitted when unset/empty; exclusive with cmd */
  readonly args?: readonly string[];
  readonly backoffFactor: number;
  readonly backoffSeconds: number;
  readonly cmd?: string;
  readonly constraints: readonly Constraint[];
  readonly container?: Container;
  readonly cpus: number;
  readonly dependencies: readonly string[];
  readonly disk: number;
  readonly env: Readonly<Record<string, EnvValue>>;
  readonly executor: string;
  readonly fetch: readonly Artifact[];
  readonly gpus: number;
  readonly healthChecks: readonly HealthCheck[];
  readonly instances: number;
  readonly labels: Labels;
  readonly maxLaunchDelaySeconds: number;
  readonly mem: number;
  readonly networks: readonly Network[];
  /** present with host networking only (Marathon omits it otherwise) */
  readonly portDefinitions?: readonly PortDefinition[];
  readonly readinessChecks: readonly ReadinessCheck[];
  /** resident apps (persistent volumes) only */
  readonly residency?: Residency;
  readonly requirePorts: boolean;
  /** Mesos role; filled only when given or when options.defaultRole is set */
  readonly role?: string;
  readonly secrets: Readonly<Record<string, Secret>>;
  /** omitted when empty */
  readonly storeUrls?: readonly string[];
  readonly taskKillGracePeriodSeconds?: number;
  readonly upgradeStrategy: UpgradeStrategy;
  readonly user?: string;
  /** stamped by the server */
  readonly version?: string;
  /** stamped by the server */
  readonly versionInfo?: VersionInfo;
  readonly killSelection: KillSelection;
  readonly unreachableStrategy: UnreachableStrategy;
}

export type AppParseResult =
  | { readonly ok: true; readonly app: AppDefinition }
  | { readonly ok: false; readonly details: ValidationDetail[] };

export interface NormalizeOptions {
  /** Group against which relative ids and dependencies are resolved; default "/". */
  readonly base?: string;
  /** Marathon `--enable_features` (e.g. "secrets", "gpu_resources"); default none. */
  readonly enabledFeatures?: readonly string[];
  /** Marathon `--mesos_role`: when set, apps without `role` get it (Marathon always emits role). */
  readonly defaultRole?: string;
}
