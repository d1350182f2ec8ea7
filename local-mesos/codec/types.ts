// TypeScript views of the plain messages the master reads and writes (snake_case, enums as names,
// bytes as Buffer, see mesos-json.ts). Only the fields local-mesos uses are typed.

export interface Id {
  value: string;
}

export interface Scalar {
  value: number;
}
export interface Range {
  begin: number;
  end: number;
}
export interface ResourceMsg {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
  scalar?: Scalar;
  ranges?: { range?: Range[] };
  set?: { item?: string[] };
  role?: string;
  allocation_info?: { role?: string };
  reservations?: unknown[];
  reservation?: unknown;
  revocable?: unknown;
  shared?: unknown;
  provider_id?: Id;
}

export interface AttributeMsg {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
  scalar?: Scalar;
  ranges?: { range?: Range[] };
  text?: { value: string };
  set?: { item?: string[] };
}

export interface FrameworkInfoMsg {
  user: string;
  name: string;
  id?: Id;
  failover_timeout?: number;
  checkpoint?: boolean;
  role?: string;
  hostname?: string;
  principal?: string;
  webui_url?: string;
  capabilities?: { type?: string }[];
  labels?: unknown;
  roles?: string[];
}

export interface DurationMsg {
  nanoseconds: number;
}

export interface CommandInfoMsg {
  uris?: { value: string; executable?: boolean; extract?: boolean; output_file?: string }[];
  environment?: { variables?: { name: string; value?: string; type?: string }[] };
  value?: string;
  user?: string;
  shell?: boolean;
  arguments?: string[];
}

export interface HealthCheckMsg {
  type?: 'UNKNOWN' | 'COMMAND' | 'HTTP' | 'TCP';
  http?: { port: number; path?: string; scheme?: string; statuses?: number[] };
  tcp?: { port: number };
  command?: CommandInfoMsg;
  delay_seconds?: number;
  interval_seconds?: number;
  timeout_seconds?: number;
  consecutive_failures?: number;
  grace_period_seconds?: number;
}

export interface TaskInfoMsg {
  name: string;
  task_id: Id;
  agent_id: Id;
  resources?: ResourceMsg[];
  executor?: unknown;
  command?: CommandInfoMsg;
  health_check?: HealthCheckMsg;
  container?: unknown;
  kill_policy?: { grace_period?: DurationMsg };
  max_completion_time?: DurationMsg;
}

export interface OperationMsg {
  type?: string;
  id?: Id;
  launch?: { task_infos?: TaskInfoMsg[] };
  launch_group?: { task_group?: { tasks?: TaskInfoMsg[] } };
}

export interface FiltersMsg {
  refuse_seconds?: number;
}

export interface CallMsg {
  framework_id?: Id;
  type?: string;
  subscribe?: { framework_info: FrameworkInfoMsg; suppressed_roles?: string[] };
  accept?: { offer_ids?: Id[]; operations?: OperationMsg[]; filters?: FiltersMsg };
  decline?: { offer_ids?: Id[]; filters?: FiltersMsg };
  revive?: { roles?: string[] };
  suppress?: { roles?: string[] };
  kill?: { task_id: Id; agent_id?: Id; kill_policy?: { grace_period?: DurationMsg } };
  acknowledge?: { agent_id: Id; task_id: Id; uuid: Buffer };
  reconcile?: { tasks?: { task_id: Id; agent_id?: Id }[] };
  update_framework?: { framework_info: FrameworkInfoMsg; suppressed_roles?: string[] };
  acknowledge_operation_status?: { agent_id?: Id; uuid: Buffer; operation_id: Id };
  shutdown?: { executor_id: Id; agent_id: Id };
  message?: { agent_id: Id; executor_id: Id; data: Uint8Array };
  request?: { requests?: unknown[] };
  [other: string]: unknown;
}

export interface TaskStatusMsg {
  task_id: Id;
  state: string;
  message?: string;
  agent_id?: Id;
  timestamp?: number;
  executor_id?: Id;
  healthy?: boolean;
  source?: string;
  reason?: string;
  uuid?: Buffer;
  container_status?: unknown;
  unreachable_time?: { nanoseconds: number };
}

export interface OfferMsg {
  id: Id;
  framework_id: Id;
  agent_id: Id;
  hostname: string;
  resources: ResourceMsg[];
  attributes?: AttributeMsg[];
  url?: unknown;
  allocation_info?: { role: string };
}

export interface EventMsg {
  type: string;
  subscribed?: { framework_id: Id; heartbeat_interval_seconds: number; master_info: unknown };
  offers?: { offers: OfferMsg[] };
  rescind?: { offer_id: Id };
  update?: { status: TaskStatusMsg };
  failure?: { agent_id?: Id; executor_id?: Id; status?: number };
  error?: { message: string };
}
