/**
 * Marathon's event JSON (the `/v2/events` stream), built as plain objects with exactly Marathon's keys.
 *
 * Sources: reference marathon-api.md §1.8 (event types) and §9 (what clients parse); Marathon's
 * `core/event/Events.scala` (the case classes) and `api/v2/json/Formats.scala` (`EventFormats`: the
 * keys actually written, which differ from the case classes in two places, see
 * `failedHealthCheck` and `instanceChanged`); `responses/events.txt` in marathon-examples.
 *
 * Responsibilities: the shapes and a mapper from a stored Deployment to Marathon's DeploymentPlan
 * JSON. Non-responsibilities: deciding when an event happens, serializing, delivering (src/events).
 * Pure: every builder takes the event's time as a parameter (`at`: a Date, or an ISO string kept as is).
 *
 * Conventions copied from Marathon's writers:
 * - every event ends with `eventType` and `timestamp` (`YYYY-MM-DDTHH:MM:SS.sssZ`);
 * - `Option` fields written with `Json.writes` are omitted when empty (unhealthy_instance_kill_event's
 *   `slaveId`, deployment_failed's `reason`); those written with `Json.obj` are `null`
 *   (instance_changed_event's `agentId`/`host`, instance_health_changed_event's `healthy`).
 */
import type { AppDefinition, HealthCheck } from '../apps/types';
import type { Deployment, DeploymentStep, PlannableApp } from '../deployments/deployment';
import type { Instance, InstanceState, MesosTaskState } from '../instances/instance';

/** When the event happened: a Date, or an ISO-8601 string with ms and `Z` (used as given). */
export type EventTime = Date | string;

const iso = (at: EventTime): string => (typeof at === 'string' ? at : at.toISOString());

/**
 * Marathon's event types (reference §1.8), the HTTP-callback `subscribe_event` / `unsubscribe_event`
 * included (Pacer serves `/v2/eventSubscriptions`; Marathon ≤ 1.4 streamed them and its clients know
 * them). Clients abort on a type they do not know, so the default event stream should carry only
 * these; other (Pacer-only) types need an explicit filter.
 */
export const MARATHON_EVENT_TYPES = [
  'api_post_event',
  'pod_created_event',
  'pod_updated_event',
  'pod_deleted_event',
  'status_update_event',
  'instance_changed_event',
  'instance_health_changed_event',
  'unknown_instance_terminated_event',
  'app_terminated_event',
  'add_health_check_event',
  'remove_health_check_event',
  'failed_health_check_event',
  'health_status_changed_event',
  'unhealthy_instance_kill_event',
  'group_change_success',
  'group_change_failed',
  'deployment_info',
  'deployment_step_success',
  'deployment_step_failure',
  'deployment_success',
  'deployment_failed',
  'scheduler_registered_event',
  'scheduler_reregistered_event',
  'scheduler_disconnected_event',
  'framework_message_event',
  'event_stream_attached',
  'event_stream_detached',
  'subscribe_event',
  'unsubscribe_event',
] as const;

export type MarathonEventType = (typeof MARATHON_EVENT_TYPES)[number];

export const MARATHON_EVENT_TYPE_SET: ReadonlySet<string> = new Set<string>(MARATHON_EVENT_TYPES);

export function isMarathonEventType(type: string): type is MarathonEventType {
  return MARATHON_EVENT_TYPE_SET.has(type);
}

interface EventTail<T extends MarathonEventType> {
  readonly eventType: T;
  readonly timestamp: string;
}

// ------------------------------------------------------------------------------------------------
// Deployment plan JSON

/** `{"action":"ScaleApplication","app":"/foo"}`: Pacer's `sentenced` never leaves the store. */
export interface MarathonDeploymentActionJson {
  readonly action: DeploymentStep['actions'][number]['action'];
  readonly app: string;
}

export interface MarathonDeploymentStepJson {
  readonly actions: readonly MarathonDeploymentActionJson[];
}

/**
 * Marathon's Group JSON as python3-marathon reads it inside a plan (exactly these keys; Marathon ≥ 1.9's
 * `enforceRole` would break that client).
 */
export interface MarathonGroupJson<A> {
  readonly id: string;
  readonly apps: readonly A[];
  readonly groups: readonly MarathonGroupJson<A>[];
  readonly pods: readonly never[];
  readonly dependencies: readonly string[];
  readonly version: string;
}

/** Marathon's `DeploymentPlanWrites`: `{id, original, target, steps, version}`. */
export interface MarathonDeploymentPlanJson<A> {
  readonly id: string;
  readonly original: MarathonGroupJson<A>;
  readonly target: MarathonGroupJson<A>;
  readonly steps: readonly MarathonDeploymentStepJson[];
  readonly version: string;
}

type VersionedApp = PlannableApp & { readonly version?: string };

/** A step as Marathon writes it: only `action` and `app` per action. */
export function toMarathonStep(step: DeploymentStep): MarathonDeploymentStepJson {
  return { actions: step.actions.map((a) => ({ action: a.action, app: a.app })) };
}

/**
 * Our stored Deployment → Marathon's DeploymentPlan JSON. Marathon's `original` / `target` are whole
 * root groups; a Pacer deployment keeps only the affected apps, so the groups here hold those apps,
 * nested under their parent groups (`/prod/web` → root `/` → group `/prod` → app). The target root's
 * version is the deployment's; the original root's is the newest original app version (the
 * deployment's when every affected app is new).
 *
 *   {id: "d1", affectedApps: ["/prod/web"], original: {"/prod/web": null}, target: {"/prod/web": web}}
 *   ⇒ {id: "d1", original: {id: "/", apps: [], groups: [], …},
 *      target: {id: "/", apps: [], groups: [{id: "/prod", apps: [web], groups: [], …}], …}, steps, version}
 */
export function toMarathonPlan<A extends VersionedApp>(deployment: Deployment<A>): MarathonDeploymentPlanJson<A> {
  const originalApps = presentApps(deployment.original);
  let originalVersion: string | undefined;
  for (const app of originalApps) {
    if (app.version !== undefined && (originalVersion === undefined || app.version > originalVersion)) originalVersion = app.version;
  }
  return {
    id: deployment.id,
    original: rootGroup(originalApps, originalVersion ?? deployment.version),
    target: rootGroup(presentApps(deployment.target), deployment.version),
    steps: deployment.steps.map(toMarathonStep),
    version: deployment.version,
  };
}

function presentApps<A>(byId: Readonly<Record<string, A | null>>): A[] {
  const out: A[] = [];
  for (const id of Object.keys(byId).sort()) {
    const app = byId[id];
    if (app !== null && app !== undefined) out.push(app);
  }
  return out;
}

interface GroupBuilder<A> {
  readonly id: string;
  readonly apps: A[];
  readonly children: Map<string, GroupBuilder<A>>;
}

/** `/a/b/c` → `/a/b`; `/a` → `/`. Ids are canonical (absolute, no trailing slash). */
function parentGroupId(id: string): string {
  const i = id.lastIndexOf('/');
  return i <= 0 ? '/' : id.slice(0, i);
}

const NO_PODS: readonly never[] = [];

/** The group tree holding `apps`, every group stamped with `version`; apps and groups sorted by id. */
export function rootGroup<A extends PlannableApp>(apps: readonly A[], version: string): MarathonGroupJson<A> {
  const root: GroupBuilder<A> = { id: '/', apps: [], children: new Map() };
  const groups = new Map<string, GroupBuilder<A>>([['/', root]]);
  const groupFor = (id: string): GroupBuilder<A> => {
    const known = groups.get(id);
    if (known) return known;
    const g: GroupBuilder<A> = { id, apps: [], children: new Map() };
    groups.set(id, g);
    groupFor(parentGroupId(id)).children.set(id, g);
    return g;
  };
  for (const app of apps) groupFor(parentGroupId(app.id)).apps.push(app);
  const build = (g: GroupBuilder<A>): MarathonGroupJson<A> => ({
    id: g.id,
    apps: [...g.apps].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    groups: [...g.children.keys()].sort().map((k) => build(g.children.get(k) as GroupBuilder<A>)),
    pods: NO_PODS,
    dependencies: [],
    version,
  });
  return build(root);
}

// ------------------------------------------------------------------------------------------------
// Deployment events

export interface DeploymentStepEvent<T extends 'deployment_info' | 'deployment_step_success' | 'deployment_step_failure', A>
  extends EventTail<T> {
  readonly plan: MarathonDeploymentPlanJson<A>;
  readonly currentStep: MarathonDeploymentStepJson;
}

export type DeploymentInfoEvent<A = AppDefinition> = DeploymentStepEvent<'deployment_info', A>;
export type DeploymentStepSuccessEvent<A = AppDefinition> = DeploymentStepEvent<'deployment_step_success', A>;
export type DeploymentStepFailureEvent<A = AppDefinition> = DeploymentStepEvent<'deployment_step_failure', A>;

export interface DeploymentSuccessEvent<A = AppDefinition> extends EventTail<'deployment_success'> {
  readonly id: string;
  readonly plan: MarathonDeploymentPlanJson<A>;
}

export interface DeploymentFailedEvent<A = AppDefinition> extends EventTail<'deployment_failed'> {
  readonly id: string;
  readonly plan: MarathonDeploymentPlanJson<A>;
  /** omitted when absent */
  readonly reason?: string;
}

/** The 1-based step `step` of the deployment (out of range: an empty step). */
function stepOf(deployment: Deployment<PlannableApp>, step: number): MarathonDeploymentStepJson {
  const s = deployment.steps[step - 1];
  return s ? toMarathonStep(s) : { actions: [] };
}

function stepEvent<T extends 'deployment_info' | 'deployment_step_success' | 'deployment_step_failure', A extends VersionedApp>(
  eventType: T,
  deployment: Deployment<A>,
  at: EventTime,
  step: number,
): DeploymentStepEvent<T, A> {
  return { plan: toMarathonPlan(deployment), currentStep: stepOf(deployment, step), eventType, timestamp: iso(at) };
}

/** A step starts. `step` is 1-based, by default the deployment's `currentStep`. */
export function deploymentInfo<A extends VersionedApp>(deployment: Deployment<A>, at: EventTime, step = deployment.currentStep): DeploymentStepEvent<'deployment_info', A> {
  return stepEvent('deployment_info', deployment, at, step);
}

/** A step finished. `step` is 1-based, by default the deployment's `currentStep`. */
export function deploymentStepSuccess<A extends VersionedApp>(
  deployment: Deployment<A>,
  at: EventTime,
  step = deployment.currentStep,
): DeploymentStepEvent<'deployment_step_success', A> {
  return stepEvent('deployment_step_success', deployment, at, step);
}

/** A step failed (or was cancelled). `step` is 1-based, by default the deployment's `currentStep`. */
export function deploymentStepFailure<A extends VersionedApp>(
  deployment: Deployment<A>,
  at: EventTime,
  step = deployment.currentStep,
): DeploymentStepEvent<'deployment_step_failure', A> {
  return stepEvent('deployment_step_failure', deployment, at, step);
}

export function deploymentSuccess<A extends VersionedApp>(deployment: Deployment<A>, at: EventTime): DeploymentSuccessEvent<A> {
  return { id: deployment.id, plan: toMarathonPlan(deployment), eventType: 'deployment_success', timestamp: iso(at) };
}

/** A deployment failed or was cancelled/superseded; `reason` is written only when given. */
export function deploymentFailed<A extends VersionedApp>(deployment: Deployment<A>, at: EventTime, reason?: string): DeploymentFailedEvent<A> {
  return {
    id: deployment.id,
    plan: toMarathonPlan(deployment),
    ...(reason !== undefined ? { reason } : {}),
    eventType: 'deployment_failed',
    timestamp: iso(at),
  };
}

export interface GroupChangeSuccessEvent extends EventTail<'group_change_success'> {
  readonly groupId: string;
  readonly version: string;
}

export interface GroupChangeFailedEvent extends EventTail<'group_change_failed'> {
  readonly groupId: string;
  readonly version: string;
  readonly reason: string;
}

/** Marathon sends it when a root-group change is stored (every app change); `groupId` is usually `/`. */
export function groupChangeSuccess(groupId: string, version: string, at: EventTime): GroupChangeSuccessEvent {
  return { groupId, version, eventType: 'group_change_success', timestamp: iso(at) };
}

export function groupChangeFailed(groupId: string, version: string, reason: string, at: EventTime): GroupChangeFailedEvent {
  return { groupId, version, reason, eventType: 'group_change_failed', timestamp: iso(at) };
}

// ------------------------------------------------------------------------------------------------
// Tasks and instances

/**
 * Marathon's Condition names (`core/condition/Condition.scala`, written with `toString`).
 * TASK_GONE_BY_OPERATOR is Marathon's Gone; Pacer's `unreachable-inactive` is UnreachableInactive.
 */
export type MarathonCondition =
  | 'Scheduled' | 'Provisioned' | 'Reserved' | 'Created' | 'Error' | 'Failed' | 'Finished' | 'Killed' | 'Killing'
  | 'Running' | 'Staging' | 'Starting' | 'Unreachable' | 'UnreachableInactive' | 'Gone' | 'Dropped' | 'Unknown';

const CONDITION: Readonly<Record<InstanceState, MarathonCondition>> = {
  scheduled: 'Scheduled',
  provisioned: 'Provisioned',
  'unreachable-inactive': 'UnreachableInactive',
  TASK_STAGING: 'Staging',
  TASK_STARTING: 'Starting',
  TASK_RUNNING: 'Running',
  TASK_KILLING: 'Killing',
  TASK_FINISHED: 'Finished',
  TASK_FAILED: 'Failed',
  TASK_KILLED: 'Killed',
  TASK_ERROR: 'Error',
  TASK_DROPPED: 'Dropped',
  TASK_UNREACHABLE: 'Unreachable',
  TASK_GONE: 'Gone',
  TASK_GONE_BY_OPERATOR: 'Gone',
  TASK_UNKNOWN: 'Unknown',
};

export function marathonCondition(state: InstanceState): MarathonCondition {
  return CONDITION[state];
}

export interface MarathonIpAddress {
  readonly ipAddress: string;
  readonly protocol: 'IPv4' | 'IPv6';
}

export interface StatusUpdateEvent extends EventTail<'status_update_event'> {
  readonly slaveId: string;
  readonly taskId: string;
  /** the state as Mesos sent it (TASK_LOST included) */
  readonly taskStatus: MesosTaskState;
  readonly message: string;
  readonly appId: string;
  readonly host: string;
  readonly ipAddresses: readonly MarathonIpAddress[];
  readonly ports: readonly number[];
  /** the app version the task runs */
  readonly version: string;
}

export interface StatusUpdateInput {
  readonly slaveId: string;
  readonly taskId: string;
  readonly taskStatus: MesosTaskState;
  /** default '' (Marathon writes the empty string when Mesos sent no message) */
  readonly message?: string;
  readonly appId: string;
  readonly host: string;
  /** default [] */
  readonly ipAddresses?: readonly MarathonIpAddress[];
  readonly ports: readonly number[];
  readonly version: string;
}

export function statusUpdate(input: StatusUpdateInput, at: EventTime): StatusUpdateEvent {
  return {
    slaveId: input.slaveId,
    taskId: input.taskId,
    taskStatus: input.taskStatus,
    message: input.message ?? '',
    appId: input.appId,
    host: input.host,
    ipAddresses: input.ipAddresses ?? [],
    ports: input.ports,
    version: input.version,
    eventType: 'status_update_event',
    timestamp: iso(at),
  };
}

/**
 * status_update_event for a Mesos update of `instance`'s task (the instance as it is after the update).
 * Agent and host come from the instance (the update's agent id when the instance has none).
 */
export function statusUpdateOf(
  instance: Instance,
  update: { readonly taskId: string; readonly state: MesosTaskState; readonly message?: string; readonly agentId?: string },
  at: EventTime,
  ipAddresses?: readonly MarathonIpAddress[],
): StatusUpdateEvent {
  return statusUpdate(
    {
      slaveId: instance.agentId ?? update.agentId ?? '',
      taskId: update.taskId,
      taskStatus: update.state,
      message: update.message,
      appId: instance.appId,
      host: instance.host ?? '',
      ipAddresses,
      ports: instance.hostPorts,
      version: instance.appVersion,
    },
    at,
  );
}

/**
 * Marathon's InstanceChangedEventWrites: instanceId, condition, runSpecId, agentId, host,
 * runSpecVersion, timestamp, eventType. `agentId` and `host` are null before placement. Marathon's
 * writer has no `goal` key (1.5 to 1.10): the instance's goal is not sent.
 */
export interface InstanceChangedEvent extends EventTail<'instance_changed_event'> {
  readonly instanceId: string;
  readonly condition: MarathonCondition;
  readonly runSpecId: string;
  readonly agentId: string | null;
  readonly host: string | null;
  readonly runSpecVersion: string;
}

export function instanceChanged(instance: Instance, at: EventTime): InstanceChangedEvent {
  return {
    instanceId: instance.instanceId,
    condition: marathonCondition(instance.state),
    runSpecId: instance.appId,
    agentId: instance.agentId ?? null,
    host: instance.host ?? null,
    runSpecVersion: instance.appVersion,
    timestamp: iso(at),
    eventType: 'instance_changed_event',
  };
}

export interface InstanceHealthChangedEvent extends EventTail<'instance_health_changed_event'> {
  readonly instanceId: string;
  readonly runSpecId: string;
  /** null = unknown */
  readonly healthy: boolean | null;
  readonly runSpecVersion: string;
}

export function instanceHealthChanged(instance: Instance, healthy: boolean | undefined, at: EventTime): InstanceHealthChangedEvent {
  return {
    instanceId: instance.instanceId,
    runSpecId: instance.appId,
    healthy: healthy ?? null,
    runSpecVersion: instance.appVersion,
    timestamp: iso(at),
    eventType: 'instance_health_changed_event',
  };
}

export interface UnknownInstanceTerminatedEvent extends EventTail<'unknown_instance_terminated_event'> {
  readonly instanceId: string;
  readonly runSpecId: string;
  readonly condition: MarathonCondition;
}

/** A terminal status for a task Pacer has no instance for. */
export function unknownInstanceTerminated(instanceId: string, runSpecId: string, state: InstanceState, at: EventTime): UnknownInstanceTerminatedEvent {
  return { instanceId, runSpecId, condition: marathonCondition(state), timestamp: iso(at), eventType: 'unknown_instance_terminated_event' };
}

export interface AppTerminatedEvent extends EventTail<'app_terminated_event'> {
  readonly appId: string;
}

/** After StopApplication: the app and all its instances are gone. */
export function appTerminated(appId: string, at: EventTime): AppTerminatedEvent {
  return { appId, eventType: 'app_terminated_event', timestamp: iso(at) };
}

// ------------------------------------------------------------------------------------------------
// Health

export interface HealthStatusChangedEvent extends EventTail<'health_status_changed_event'> {
  readonly appId: string;
  readonly instanceId: string;
  /** the app version the instance runs */
  readonly version: string;
  readonly alive: boolean;
}

export function healthStatusChanged(
  input: { readonly appId: string; readonly instanceId: string; readonly version: string; readonly alive: boolean },
  at: EventTime,
): HealthStatusChangedEvent {
  return { appId: input.appId, instanceId: input.instanceId, version: input.version, alive: input.alive, eventType: 'health_status_changed_event', timestamp: iso(at) };
}

/**
 * Marathon's FailedHealthCheckWrites writes the instance id under the key `taskId` (the case class
 * field is `instanceId`; the JSON key stayed `taskId` for old clients).
 */
export interface FailedHealthCheckEvent extends EventTail<'failed_health_check_event'> {
  readonly appId: string;
  readonly healthCheck: HealthCheck;
  /** the instance id (Marathon's key) */
  readonly taskId: string;
}

export function failedHealthCheck(
  input: { readonly appId: string; readonly instanceId: string; readonly healthCheck: HealthCheck },
  at: EventTime,
): FailedHealthCheckEvent {
  return { appId: input.appId, eventType: 'failed_health_check_event', healthCheck: input.healthCheck, taskId: input.instanceId, timestamp: iso(at) };
}

export interface UnhealthyInstanceKillEvent extends EventTail<'unhealthy_instance_kill_event'> {
  readonly appId: string;
  readonly taskId: string;
  readonly instanceId: string;
  readonly version: string;
  /** e.g. `500 Internal Server Error` */
  readonly reason: string;
  readonly host: string;
  /** omitted when unknown */
  readonly slaveId?: string;
}

export function unhealthyInstanceKill(
  input: {
    readonly appId: string;
    readonly taskId: string;
    readonly instanceId: string;
    readonly version: string;
    readonly reason: string;
    readonly host: string;
    readonly slaveId?: string;
  },
  at: EventTime,
): UnhealthyInstanceKillEvent {
  return {
    appId: input.appId,
    taskId: input.taskId,
    instanceId: input.instanceId,
    version: input.version,
    reason: input.reason,
    host: input.host,
    ...(input.slaveId !== undefined ? { slaveId: input.slaveId } : {}),
    eventType: 'unhealthy_instance_kill_event',
    timestamp: iso(at),
  };
}

// ------------------------------------------------------------------------------------------------
// API, scheduler, stream

export interface ApiPostEvent extends EventTail<'api_post_event'> {
  readonly clientIp: string;
  readonly uri: string;
  readonly appDefinition: AppDefinition;
}

/** An app was created or changed through the API (`appDefinition`: the app as stored). */
export function apiPost(clientIp: string, uri: string, appDefinition: AppDefinition, at: EventTime): ApiPostEvent {
  return { clientIp, uri, appDefinition, eventType: 'api_post_event', timestamp: iso(at) };
}

export interface SchedulerRegisteredEvent extends EventTail<'scheduler_registered_event'> {
  readonly frameworkId: string;
  readonly master: string;
}

export interface SchedulerReregisteredEvent extends EventTail<'scheduler_reregistered_event'> {
  readonly master: string;
}

export type SchedulerDisconnectedEvent = EventTail<'scheduler_disconnected_event'>;

export function schedulerRegistered(frameworkId: string, master: string, at: EventTime): SchedulerRegisteredEvent {
  return { frameworkId, master, eventType: 'scheduler_registered_event', timestamp: iso(at) };
}

export function schedulerReregistered(master: string, at: EventTime): SchedulerReregisteredEvent {
  return { master, eventType: 'scheduler_reregistered_event', timestamp: iso(at) };
}

export function schedulerDisconnected(at: EventTime): SchedulerDisconnectedEvent {
  return { eventType: 'scheduler_disconnected_event', timestamp: iso(at) };
}

export interface EventStreamAttachedEvent extends EventTail<'event_stream_attached'> {
  readonly remoteAddress: string;
}

export interface EventStreamDetachedEvent extends EventTail<'event_stream_detached'> {
  readonly remoteAddress: string;
}

/** The first frame a new `/v2/events` client gets (and every other client sees it too). */
export function eventStreamAttached(remoteAddress: string, at: EventTime): EventStreamAttachedEvent {
  return { remoteAddress, eventType: 'event_stream_attached', timestamp: iso(at) };
}

export function eventStreamDetached(remoteAddress: string, at: EventTime): EventStreamDetachedEvent {
  return { remoteAddress, eventType: 'event_stream_detached', timestamp: iso(at) };
}

/**
 * Marathon's `Subscribe` / `Unsubscribe` (the HTTP-callback API): the answer of `POST` / `DELETE
 * /v2/eventSubscriptions` and the event published for it. Keys in the case class's order.
 */
export interface SubscribeEvent extends EventTail<'subscribe_event'> {
  readonly clientIp: string;
  readonly callbackUrl: string;
}

export interface UnsubscribeEvent extends EventTail<'unsubscribe_event'> {
  readonly clientIp: string;
  readonly callbackUrl: string;
}

export function subscribe(clientIp: string, callbackUrl: string, at: EventTime): SubscribeEvent {
  return { clientIp, callbackUrl, eventType: 'subscribe_event', timestamp: iso(at) };
}

export function unsubscribe(clientIp: string, callbackUrl: string, at: EventTime): UnsubscribeEvent {
  return { clientIp, callbackUrl, eventType: 'unsubscribe_event', timestamp: iso(at) };
}

/** Every event this module builds (apps as AppDefinition). */
export type MarathonEvent =
  | DeploymentInfoEvent
  | DeploymentStepSuccessEvent
  | DeploymentStepFailureEvent
  | DeploymentSuccessEvent
  | DeploymentFailedEvent
  | GroupChangeSuccessEvent
  | GroupChangeFailedEvent
  | StatusUpdateEvent
  | InstanceChangedEvent
  | InstanceHealthChangedEvent
  | UnknownInstanceTerminatedEvent
  | AppTerminatedEvent
  | HealthStatusChangedEvent
  | FailedHealthCheckEvent
  | UnhealthyInstanceKillEvent
  | ApiPostEvent
  | SchedulerRegisteredEvent
  | SchedulerReregisteredEvent
  | SchedulerDisconnectedEvent
  | EventStreamAttachedEvent
  | EventStreamDetachedEvent
  | SubscribeEvent
  | UnsubscribeEvent;
