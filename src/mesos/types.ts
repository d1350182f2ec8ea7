/**
 * The data the scheduler exchanges with the Mesos driver: plain, readonly objects in Mesos' own JSON
 * shape (snake_case field names, enum names as strings, bytes as base64 strings; reference §3.9).
 * No protobufjs class or HTTP type appears here, so the scheduler never depends on the wire format:
 * the codec turns these into protobuf or JSON and back. Only the fields Pacer uses are declared.
 */

export interface Id {
  readonly value: string;
}

export type ValueType = 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';

export interface Range {
  readonly begin: number;
  readonly end: number;
}

export interface Resource {
  readonly name: string;
  readonly type: ValueType;
  readonly scalar?: { readonly value: number };
  readonly ranges?: { readonly range?: readonly Range[] };
  readonly set?: { readonly item?: readonly string[] };
  readonly role?: string;
  readonly allocation_info?: { readonly role?: string };
  readonly reservations?: readonly Record<string, unknown>[];
}

export interface Attribute {
  readonly name: string;
  readonly type: ValueType;
  readonly scalar?: { readonly value: number };
  readonly ranges?: { readonly range?: readonly Range[] };
  readonly set?: { readonly item?: readonly string[] };
  readonly text?: { readonly value: string };
}

export interface Offer {
  readonly id: Id;
  readonly framework_id: Id;
  readonly agent_id: Id;
  readonly hostname: string;
  readonly resources?: readonly Resource[];
  readonly attributes?: readonly Attribute[];
  readonly executor_ids?: readonly Id[];
  readonly url?: { readonly scheme: string; readonly address: { readonly hostname?: string; readonly ip?: string; readonly port: number }; readonly path?: string };
  readonly allocation_info?: { readonly role?: string };
}

export interface Label {
  readonly key: string;
  readonly value?: string;
}

export interface CommandInfo {
  readonly value?: string;
  readonly shell?: boolean;
  readonly arguments?: readonly string[];
  readonly user?: string;
  readonly uris?: readonly { readonly value: string; readonly executable?: boolean; readonly extract?: boolean; readonly cache?: boolean; readonly output_file?: string }[];
  readonly environment?: { readonly variables?: readonly { readonly name: string; readonly value?: string; readonly type?: 'VALUE' | 'SECRET' }[] };
}

export interface HealthCheck {
  readonly type?: 'COMMAND' | 'HTTP' | 'TCP';
  readonly http?: { readonly port: number; readonly path?: string; readonly scheme?: string; readonly protocol?: 'IPv4' | 'IPv6' };
  readonly tcp?: { readonly port: number; readonly protocol?: 'IPv4' | 'IPv6' };
  readonly command?: CommandInfo;
  readonly delay_seconds?: number;
  readonly interval_seconds?: number;
  readonly timeout_seconds?: number;
  readonly consecutive_failures?: number;
  readonly grace_period_seconds?: number;
}

export interface DurationInfo {
  readonly nanoseconds: number;
}

export interface TaskInfo {
  readonly name: string;
  readonly task_id: Id;
  readonly agent_id: Id;
  readonly resources: readonly Resource[];
  readonly command?: CommandInfo;
  readonly health_check?: HealthCheck;
  readonly labels?: { readonly labels?: readonly Label[] };
  readonly kill_policy?: { readonly grace_period?: DurationInfo };
  readonly discovery?: Record<string, unknown>;
  readonly container?: Record<string, unknown>;
  readonly max_completion_time?: DurationInfo;
  /** base64 */
  readonly data?: string;
}

export type TaskState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_ERROR'
  | 'TASK_LOST'
  | 'TASK_DROPPED'
  | 'TASK_UNREACHABLE'
  | 'TASK_GONE'
  | 'TASK_GONE_BY_OPERATOR'
  | 'TASK_UNKNOWN';

export interface TaskStatus {
  readonly task_id: Id;
  readonly state: TaskState;
  readonly message?: string;
  readonly agent_id?: Id;
  readonly executor_id?: Id;
  /** Seconds since the epoch. */
  readonly timestamp?: number;
  readonly healthy?: boolean;
  readonly source?: 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';
  /** e.g. REASON_RECONCILIATION; a string because Mesos adds reasons over time. */
  readonly reason?: string;
  /** base64 of the 16-byte update uuid; present ⇒ the update must be acknowledged (reference §4.1). */
  readonly uuid?: string;
  /** base64 */
  readonly data?: string;
  readonly labels?: { readonly labels?: readonly Label[] };
  readonly container_status?: Record<string, unknown>;
  readonly unreachable_time?: { readonly nanoseconds: number };
}

export interface MasterInfo {
  readonly id: string;
  readonly hostname?: string;
  readonly port?: number;
  readonly pid?: string;
  readonly version?: string;
  readonly address?: { readonly hostname?: string; readonly ip?: string; readonly port: number };
}

/** Everything the scheduler hears from the driver. */
export type SchedulerEvent =
  | { readonly type: 'subscribed'; readonly frameworkId: string; readonly heartbeatIntervalSeconds: number; readonly master: string; readonly masterInfo?: MasterInfo }
  | { readonly type: 'offers'; readonly offers: readonly Offer[] }
  | { readonly type: 'rescind'; readonly offerId: string }
  | { readonly type: 'update'; readonly status: TaskStatus }
  | { readonly type: 'failure'; readonly agentId?: string; readonly executorId?: string; readonly status?: number }
  /** fatal: the driver has stopped and will not resubscribe (e.g. "Framework has been removed"). */
  | { readonly type: 'error'; readonly message: string; readonly fatal: boolean }
  | { readonly type: 'disconnected'; readonly reason: string };

export type SchedulerEventType = SchedulerEvent['type'];

/** Offer operations Pacer performs (LAUNCH only for now). */
export type OfferOperation = { readonly type: 'LAUNCH'; readonly launch: { readonly task_infos: readonly TaskInfo[] } };

export interface ReconcileTask {
  readonly taskId: string;
  readonly agentId?: string;
}
