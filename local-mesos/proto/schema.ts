// Our own trimmed `mesos.v1` / `mesos.v1.scheduler` schema, written from the field tables in
// shared/reference/mesos-protocol.md §2–§3 (never copied from Mesos sources). Wire and JSON
// compatibility depend only on package names, field names, numbers and enum values, which match Mesos.
//
// Defined in TypeScript (not .proto files) because tsc does not copy assets into dist/.
// Field notation: "<type> <id> [!|*] [=default] [~]" — `!` required, `*` repeated, `=x` declared
// default, `~` deprecated (deprecated defaults are not emitted in JSON, see §3.9).
import * as protobuf from 'protobufjs';

type FieldSpecs = Record<string, string>;
interface MessageDef {
  fields: FieldSpecs;
  nested?: Record<string, MessageDef | EnumDef>;
}
interface EnumDef {
  values: Record<string, number>;
}

const msg = (fields: FieldSpecs, nested?: Record<string, MessageDef | EnumDef>): MessageDef => ({ fields, nested });
const enm = (values: Record<string, number>): EnumDef => ({ values });
/** Enum whose values are 0..n-1 in the listed order. */
const seq = (...names: string[]): EnumDef => enm(Object.fromEntries(names.map((n, i) => [n, i])));
const idMsg = (): MessageDef => msg({ value: 'string 1 !' });

const v1: Record<string, MessageDef | EnumDef> = {
  FrameworkID: idMsg(),
  OfferID: idMsg(),
  AgentID: idMsg(),
  TaskID: idMsg(),
  ExecutorID: idMsg(),
  ResourceProviderID: idMsg(),
  OperationID: idMsg(),
  ContainerID: msg({ value: 'string 1 !', parent: 'ContainerID 2' }),
  TimeInfo: msg({ nanoseconds: 'int64 1 !' }),
  DurationInfo: msg({ nanoseconds: 'int64 1 !' }),
  Address: msg({ hostname: 'string 1', ip: 'string 2', port: 'int32 3 !' }),
  Parameter: msg({ key: 'string 1 !', value: 'string 2 !' }),
  Parameters: msg({ parameter: 'Parameter 1 *' }),
  URL: msg({ scheme: 'string 1 !', address: 'Address 2 !', path: 'string 3', query: 'Parameter 4 *', fragment: 'string 5' }),
  Unavailability: msg({ start: 'TimeInfo 1 !', duration: 'DurationInfo 2' }),
  UUID: msg({ value: 'bytes 1 !' }),
  Label: msg({ key: 'string 1 !', value: 'string 2' }),
  Labels: msg({ labels: 'Label 1 *' }),
  FrameworkInfo: msg(
    {
      user: 'string 1 !',
      name: 'string 2 !',
      id: 'FrameworkID 3',
      failover_timeout: 'double 4 =0',
      checkpoint: 'bool 5 =false',
      role: 'string 6 =* ~',
      hostname: 'string 7',
      principal: 'string 8',
      webui_url: 'string 9',
      capabilities: 'FrameworkInfo.Capability 10 *',
      labels: 'Labels 11',
      roles: 'string 12 *',
      offer_filters: 'map<string,OfferFilters> 13',
    },
    {
      Capability: msg(
        { type: 'FrameworkInfo.Capability.Type 1' },
        {
          Type: seq(
            'UNKNOWN', 'REVOCABLE_RESOURCES', 'TASK_KILLING_STATE', 'GPU_RESOURCES', 'SHARED_RESOURCES',
            'PARTITION_AWARE', 'MULTI_ROLE', 'RESERVATION_REFINEMENT', 'REGION_AWARE',
          ),
        },
      ),
    },
  ),
  ResourceQuantities: msg({ quantities: 'map<string,Value.Scalar> 1' }),
  OfferFilters: msg(
    { min_allocatable_resources: 'OfferFilters.MinAllocatableResources 1' },
    {
      ResourceQuantities: msg({ quantities: 'map<string,Value.Scalar> 1' }),
      MinAllocatableResources: msg({ quantities: 'OfferFilters.ResourceQuantities 1 *' }),
    },
  ),
  Value: msg(
    { type: 'Value.Type 1 !', scalar: 'Value.Scalar 2', ranges: 'Value.Ranges 3', set: 'Value.Set 4', text: 'Value.Text 5' },
    {
      Type: seq('SCALAR', 'RANGES', 'SET', 'TEXT'),
      Scalar: msg({ value: 'double 1 !' }),
      Range: msg({ begin: 'uint64 1 !', end: 'uint64 2 !' }),
      Ranges: msg({ range: 'Value.Range 1 *' }),
      Set: msg({ item: 'string 1 *' }),
      Text: msg({ value: 'string 1 !' }),
    },
  ),
  Attribute: msg({
    name: 'string 1 !',
    type: 'Value.Type 2 !',
    scalar: 'Value.Scalar 3',
    ranges: 'Value.Ranges 4',
    text: 'Value.Text 5',
    set: 'Value.Set 6',
  }),
  Resource: msg(
    {
      provider_id: 'ResourceProviderID 12',
      name: 'string 1 !',
      type: 'Value.Type 2 !',
      scalar: 'Value.Scalar 3',
      ranges: 'Value.Ranges 4',
      set: 'Value.Set 5',
      role: 'string 6 =* ~',
      allocation_info: 'Resource.AllocationInfo 11',
      reservation: 'Resource.ReservationInfo 8',
      reservations: 'Resource.ReservationInfo 13 *',
      revocable: 'Resource.RevocableInfo 9',
      shared: 'Resource.SharedInfo 10',
    },
    {
      AllocationInfo: msg({ role: 'string 1' }),
      ReservationInfo: msg(
        { type: 'Resource.ReservationInfo.Type 4', role: 'string 3', principal: 'string 1', labels: 'Labels 2' },
        { Type: seq('UNKNOWN', 'STATIC', 'DYNAMIC') },
      ),
      RevocableInfo: msg({}),
      SharedInfo: msg({}),
    },
  ),
  Filters: msg({ refuse_seconds: 'double 1 =5' }),
  Offer: msg(
    {
      id: 'OfferID 1 !',
      framework_id: 'FrameworkID 2 !',
      agent_id: 'AgentID 3 !',
      hostname: 'string 4 !',
      resources: 'Resource 5 *',
      executor_ids: 'ExecutorID 6 *',
      attributes: 'Attribute 7 *',
      url: 'URL 8',
      unavailability: 'Unavailability 9',
      allocation_info: 'Resource.AllocationInfo 10',
      domain: 'DomainInfo 11',
    },
    {
      Operation: msg(
        {
          type: 'Offer.Operation.Type 1',
          id: 'OperationID 12',
          launch: 'Offer.Operation.Launch 2',
          launch_group: 'Offer.Operation.LaunchGroup 7',
        },
        {
          Type: enm({
            UNKNOWN: 0, LAUNCH: 1, RESERVE: 2, UNRESERVE: 3, CREATE: 4, DESTROY: 5, LAUNCH_GROUP: 6,
            GROW_VOLUME: 11, SHRINK_VOLUME: 12, CREATE_DISK: 13, DESTROY_DISK: 14,
          }),
          Launch: msg({ task_infos: 'TaskInfo 1 *' }),
          LaunchGroup: msg({ executor: 'ExecutorInfo 1 !', task_group: 'TaskGroupInfo 2 !' }),
        },
      ),
    },
  ),
  InverseOffer: msg({
    id: 'OfferID 1 !',
    url: 'URL 2',
    framework_id: 'FrameworkID 3 !',
    agent_id: 'AgentID 4',
    unavailability: 'Unavailability 5 !',
    resources: 'Resource 6 *',
  }),
  TaskGroupInfo: msg({ tasks: 'TaskInfo 1 *' }),
  TaskInfo: msg({
    name: 'string 1 !',
    task_id: 'TaskID 2 !',
    agent_id: 'AgentID 3 !',
    resources: 'Resource 4 *',
    executor: 'ExecutorInfo 5',
    data: 'bytes 6',
    command: 'CommandInfo 7',
    health_check: 'HealthCheck 8',
    container: 'ContainerInfo 9',
    labels: 'Labels 10',
    discovery: 'DiscoveryInfo 11',
    kill_policy: 'KillPolicy 12',
    check: 'CheckInfo 13',
    max_completion_time: 'DurationInfo 14',
    limits: 'map<string,Value.Scalar> 15',
  }),
  CommandInfo: msg(
    {
      uris: 'CommandInfo.URI 1 *',
      environment: 'Environment 2',
      value: 'string 3',
      user: 'string 5',
      shell: 'bool 6 =true',
      arguments: 'string 7 *',
    },
    {
      URI: msg({
        value: 'string 1 !',
        executable: 'bool 2',
        extract: 'bool 3 =true',
        cache: 'bool 4',
        output_file: 'string 5',
      }),
    },
  ),
  Environment: msg(
    { variables: 'Environment.Variable 1 *' },
    {
      Variable: msg(
        { name: 'string 1 !', value: 'string 2', type: 'Environment.Variable.Type 3 =VALUE' },
        { Type: seq('UNKNOWN', 'VALUE', 'SECRET') },
      ),
    },
  ),
  KillPolicy: msg({ grace_period: 'DurationInfo 1' }),
  ExecutorInfo: msg(
    {
      executor_id: 'ExecutorID 1 !',
      resources: 'Resource 5 *',
      data: 'bytes 4',
      command: 'CommandInfo 7',
      framework_id: 'FrameworkID 8',
      name: 'string 9',
      source: 'string 10',
      container: 'ContainerInfo 11',
      discovery: 'DiscoveryInfo 12',
      shutdown_grace_period: 'DurationInfo 13',
      labels: 'Labels 14',
      type: 'ExecutorInfo.Type 15',
    },
    { Type: seq('UNKNOWN', 'DEFAULT', 'CUSTOM') },
  ),
  ContainerInfo: msg(
    { type: 'ContainerInfo.Type 1 !', hostname: 'string 4', network_infos: 'NetworkInfo 7 *' },
    { Type: enm({ DOCKER: 1, MESOS: 2 }) },
  ),
  HealthCheck: msg(
    {
      http: 'HealthCheck.HTTPCheckInfo 1',
      delay_seconds: 'double 2 =15',
      interval_seconds: 'double 3 =10',
      timeout_seconds: 'double 4 =20',
      consecutive_failures: 'uint32 5 =3',
      grace_period_seconds: 'double 6 =10',
      command: 'CommandInfo 7',
      type: 'HealthCheck.Type 8',
      tcp: 'HealthCheck.TCPCheckInfo 9',
    },
    {
      Type: seq('UNKNOWN', 'COMMAND', 'HTTP', 'TCP'),
      HTTPCheckInfo: msg({
        port: 'uint32 1 !',
        path: 'string 2',
        scheme: 'string 3',
        statuses: 'uint32 4 *',
        protocol: 'NetworkInfo.Protocol 5 =IPv4',
      }),
      TCPCheckInfo: msg({ port: 'uint32 1 !', protocol: 'NetworkInfo.Protocol 2 =IPv4' }),
    },
  ),
  CheckInfo: msg(
    {
      type: 'CheckInfo.Type 1',
      command: 'CheckInfo.Command 2',
      http: 'CheckInfo.Http 3',
      delay_seconds: 'double 4 =15',
      interval_seconds: 'double 5 =10',
      timeout_seconds: 'double 6 =20',
      tcp: 'CheckInfo.Tcp 7',
    },
    {
      Type: seq('UNKNOWN', 'COMMAND', 'HTTP', 'TCP'),
      Command: msg({ command: 'CommandInfo 1 !' }),
      Http: msg({ port: 'uint32 1 !', path: 'string 2' }),
      Tcp: msg({ port: 'uint32 1 !' }),
    },
  ),
  CheckStatusInfo: msg(
    {
      type: 'CheckInfo.Type 1',
      command: 'CheckStatusInfo.Command 2',
      http: 'CheckStatusInfo.Http 3',
      tcp: 'CheckStatusInfo.Tcp 4',
    },
    {
      Command: msg({ exit_code: 'int32 1' }),
      Http: msg({ status_code: 'uint32 1' }),
      Tcp: msg({ succeeded: 'bool 1' }),
    },
  ),
  DiscoveryInfo: msg(
    {
      visibility: 'DiscoveryInfo.Visibility 1 !',
      name: 'string 2',
      environment: 'string 3',
      location: 'string 4',
      version: 'string 5',
      ports: 'Ports 6',
      labels: 'Labels 7',
    },
    { Visibility: seq('FRAMEWORK', 'CLUSTER', 'EXTERNAL') },
  ),
  Ports: msg({ ports: 'Port 1 *' }),
  Port: msg({
    number: 'uint32 1 !',
    name: 'string 2',
    protocol: 'string 3',
    visibility: 'DiscoveryInfo.Visibility 4',
    labels: 'Labels 5',
  }),
  NetworkInfo: msg(
    {
      groups: 'string 3 *',
      labels: 'Labels 4',
      ip_addresses: 'NetworkInfo.IPAddress 5 *',
      name: 'string 6',
      port_mappings: 'NetworkInfo.PortMapping 7 *',
    },
    {
      Protocol: enm({ IPv4: 1, IPv6: 2 }),
      IPAddress: msg({ protocol: 'NetworkInfo.Protocol 1 =IPv4', ip_address: 'string 2' }),
      PortMapping: msg({ host_port: 'uint32 1 !', container_port: 'uint32 2 !', protocol: 'string 3' }),
    },
  ),
  TaskState: seq(
    'TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_STAGING',
    'TASK_ERROR', 'TASK_KILLING', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR',
    'TASK_UNKNOWN',
  ),
  ContainerStatus: msg({
    network_infos: 'NetworkInfo 1 *',
    executor_pid: 'uint32 3',
    container_id: 'ContainerID 4',
  }),
  TaskResourceLimitation: msg({ resources: 'Resource 1 *' }),
  TaskStatus: msg(
    {
      task_id: 'TaskID 1 !',
      state: 'TaskState 2 !',
      data: 'bytes 3',
      message: 'string 4',
      agent_id: 'AgentID 5',
      timestamp: 'double 6',
      executor_id: 'ExecutorID 7',
      healthy: 'bool 8',
      source: 'TaskStatus.Source 9',
      reason: 'TaskStatus.Reason 10',
      uuid: 'bytes 11',
      labels: 'Labels 12',
      container_status: 'ContainerStatus 13',
      unreachable_time: 'TimeInfo 14',
      check_status: 'CheckStatusInfo 15',
      limitation: 'TaskResourceLimitation 16',
    },
    {
      Source: seq('SOURCE_MASTER', 'SOURCE_AGENT', 'SOURCE_EXECUTOR'),
      Reason: seq(
        ...[
          'COMMAND_EXECUTOR_FAILED', 'EXECUTOR_TERMINATED', 'EXECUTOR_UNREGISTERED', 'FRAMEWORK_REMOVED', 'GC_ERROR',
          'INVALID_FRAMEWORKID', 'INVALID_OFFERS', 'MASTER_DISCONNECTED', 'CONTAINER_LIMITATION_MEMORY',
          'RECONCILIATION', 'AGENT_DISCONNECTED', 'AGENT_REMOVED', 'AGENT_RESTARTED', 'AGENT_UNKNOWN', 'TASK_INVALID',
          'TASK_UNAUTHORIZED', 'TASK_UNKNOWN', 'CONTAINER_PREEMPTED', 'RESOURCES_UNKNOWN', 'CONTAINER_LIMITATION',
          'CONTAINER_LIMITATION_DISK', 'CONTAINER_LAUNCH_FAILED', 'CONTAINER_UPDATE_FAILED',
          'EXECUTOR_REGISTRATION_TIMEOUT', 'EXECUTOR_REREGISTRATION_TIMEOUT', 'TASK_GROUP_INVALID',
          'TASK_GROUP_UNAUTHORIZED', 'IO_SWITCHBOARD_EXITED', 'TASK_CHECK_STATUS_UPDATED',
          'TASK_HEALTH_CHECK_STATUS_UPDATED', 'TASK_KILLED_DURING_LAUNCH', 'AGENT_REMOVED_BY_OPERATOR',
          'AGENT_REREGISTERED', 'MAX_COMPLETION_TIME_REACHED', 'AGENT_DRAINING',
        ].map((r) => `REASON_${r}`),
      ),
    },
  ),
  DomainInfo: msg(
    { fault_domain: 'DomainInfo.FaultDomain 1' },
    {
      FaultDomain: msg(
        { region: 'DomainInfo.FaultDomain.RegionInfo 1 !', zone: 'DomainInfo.FaultDomain.ZoneInfo 2 !' },
        { RegionInfo: msg({ name: 'string 1 !' }), ZoneInfo: msg({ name: 'string 1 !' }) },
      ),
    },
  ),
  MasterInfo: msg(
    {
      id: 'string 1 !',
      ip: 'uint32 2 !',
      port: 'uint32 3 ! =5050',
      pid: 'string 4',
      hostname: 'string 5',
      version: 'string 6',
      address: 'Address 7',
      domain: 'DomainInfo 8',
      capabilities: 'MasterInfo.Capability 9 *',
    },
    { Capability: msg({ type: 'MasterInfo.Capability.Type 1' }, { Type: seq('UNKNOWN', 'AGENT_UPDATE', 'AGENT_DRAINING', 'QUOTA_V2') }) },
  ),
  OperationState: seq(
    'OPERATION_UNSUPPORTED', 'OPERATION_PENDING', 'OPERATION_FINISHED', 'OPERATION_FAILED', 'OPERATION_ERROR',
    'OPERATION_DROPPED', 'OPERATION_UNREACHABLE', 'OPERATION_GONE_BY_OPERATOR', 'OPERATION_RECOVERING',
    'OPERATION_UNKNOWN',
  ),
  OperationStatus: msg({
    operation_id: 'OperationID 1',
    state: 'OperationState 2 !',
    message: 'string 3',
    converted_resources: 'Resource 4 *',
    uuid: 'UUID 5',
    agent_id: 'AgentID 6',
    resource_provider_id: 'ResourceProviderID 7',
  }),
  Request: msg({ agent_id: 'AgentID 1', resources: 'Resource 2 *' }),
};

const callTypes = [
  'UNKNOWN', 'SUBSCRIBE', 'TEARDOWN', 'ACCEPT', 'DECLINE', 'REVIVE', 'KILL', 'SHUTDOWN', 'ACKNOWLEDGE', 'RECONCILE',
  'MESSAGE', 'REQUEST', 'SUPPRESS', 'ACCEPT_INVERSE_OFFERS', 'DECLINE_INVERSE_OFFERS',
  'ACKNOWLEDGE_OPERATION_STATUS', 'RECONCILE_OPERATIONS', 'UPDATE_FRAMEWORK',
];
const eventTypes = [
  'UNKNOWN', 'SUBSCRIBED', 'OFFERS', 'RESCIND', 'UPDATE', 'MESSAGE', 'FAILURE', 'ERROR', 'HEARTBEAT',
  'INVERSE_OFFERS', 'RESCIND_INVERSE_OFFER', 'UPDATE_OPERATION_STATUS',
];

const scheduler: Record<string, MessageDef | EnumDef> = {
  Call: msg(
    {
      framework_id: 'mesos.v1.FrameworkID 1',
      type: 'Call.Type 2',
      subscribe: 'Call.Subscribe 3',
      accept: 'Call.Accept 4',
      decline: 'Call.Decline 5',
      accept_inverse_offers: 'Call.AcceptInverseOffers 13',
      decline_inverse_offers: 'Call.DeclineInverseOffers 14',
      revive: 'Call.Revive 15',
      kill: 'Call.Kill 6',
      shutdown: 'Call.Shutdown 7',
      acknowledge: 'Call.Acknowledge 8',
      acknowledge_operation_status: 'Call.AcknowledgeOperationStatus 17',
      reconcile: 'Call.Reconcile 9',
      reconcile_operations: 'Call.ReconcileOperations 18',
      message: 'Call.Message 10',
      request: 'Call.Request 11',
      suppress: 'Call.Suppress 16',
      update_framework: 'Call.UpdateFramework 19',
    },
    {
      Type: seq(...callTypes),
      Subscribe: msg({
        framework_info: 'mesos.v1.FrameworkInfo 1 !',
        suppressed_roles: 'string 2 *',
      }),
      Accept: msg({ offer_ids: 'mesos.v1.OfferID 1 *', operations: 'mesos.v1.Offer.Operation 2 *', filters: 'mesos.v1.Filters 3' }),
      Decline: msg({ offer_ids: 'mesos.v1.OfferID 1 *', filters: 'mesos.v1.Filters 2' }),
      AcceptInverseOffers: msg({ inverse_offer_ids: 'mesos.v1.OfferID 1 *', filters: 'mesos.v1.Filters 2' }),
      DeclineInverseOffers: msg({ inverse_offer_ids: 'mesos.v1.OfferID 1 *', filters: 'mesos.v1.Filters 2' }),
      Revive: msg({ roles: 'string 1 *' }),
      Kill: msg({ task_id: 'mesos.v1.TaskID 1 !', agent_id: 'mesos.v1.AgentID 2', kill_policy: 'mesos.v1.KillPolicy 3' }),
      Shutdown: msg({ executor_id: 'mesos.v1.ExecutorID 1 !', agent_id: 'mesos.v1.AgentID 2 !' }),
      Acknowledge: msg({ agent_id: 'mesos.v1.AgentID 1 !', task_id: 'mesos.v1.TaskID 2 !', uuid: 'bytes 3 !' }),
      AcknowledgeOperationStatus: msg({
        agent_id: 'mesos.v1.AgentID 1',
        resource_provider_id: 'mesos.v1.ResourceProviderID 2',
        uuid: 'bytes 3 !',
        operation_id: 'mesos.v1.OperationID 4 !',
      }),
      Reconcile: msg({ tasks: 'Call.Reconcile.Task 1 *' }, { Task: msg({ task_id: 'mesos.v1.TaskID 1 !', agent_id: 'mesos.v1.AgentID 2' }) }),
      ReconcileOperations: msg(
        { operations: 'Call.ReconcileOperations.Operation 1 *' },
        {
          Operation: msg({
            operation_id: 'mesos.v1.OperationID 1 !',
            agent_id: 'mesos.v1.AgentID 2',
            resource_provider_id: 'mesos.v1.ResourceProviderID 3',
          }),
        },
      ),
      Message: msg({ agent_id: 'mesos.v1.AgentID 1 !', executor_id: 'mesos.v1.ExecutorID 2 !', data: 'bytes 3 !' }),
      Request: msg({ requests: 'mesos.v1.Request 1 *' }),
      Suppress: msg({ roles: 'string 1 *' }),
      UpdateFramework: msg({ framework_info: 'mesos.v1.FrameworkInfo 1 !', suppressed_roles: 'string 2 *' }),
    },
  ),
  Event: msg(
    {
      type: 'Event.Type 1',
      subscribed: 'Event.Subscribed 2',
      offers: 'Event.Offers 3',
      inverse_offers: 'Event.InverseOffers 9',
      rescind: 'Event.Rescind 4',
      rescind_inverse_offer: 'Event.RescindInverseOffer 10',
      update: 'Event.Update 5',
      update_operation_status: 'Event.UpdateOperationStatus 11',
      message: 'Event.Message 6',
      failure: 'Event.Failure 7',
      error: 'Event.Error 8',
    },
    {
      Type: seq(...eventTypes),
      Subscribed: msg({
        framework_id: 'mesos.v1.FrameworkID 1 !',
        heartbeat_interval_seconds: 'double 2',
        master_info: 'mesos.v1.MasterInfo 3',
      }),
      Offers: msg({ offers: 'mesos.v1.Offer 1 *' }),
      InverseOffers: msg({ inverse_offers: 'mesos.v1.InverseOffer 1 *' }),
      Rescind: msg({ offer_id: 'mesos.v1.OfferID 1 !' }),
      RescindInverseOffer: msg({ inverse_offer_id: 'mesos.v1.OfferID 1 !' }),
      Update: msg({ status: 'mesos.v1.TaskStatus 1 !' }),
      UpdateOperationStatus: msg({ status: 'mesos.v1.OperationStatus 1 !' }),
      Message: msg({ agent_id: 'mesos.v1.AgentID 1 !', executor_id: 'mesos.v1.ExecutorID 2 !', data: 'bytes 3 !' }),
      Failure: msg({ agent_id: 'mesos.v1.AgentID 1', executor_id: 'mesos.v1.ExecutorID 2', status: 'int32 3' }),
      Error: msg({ message: 'string 1 !' }),
    },
  ),
};

/** Names of fields that are deprecated, per fully-qualified type (their defaults are not emitted). */
export const deprecatedFields = new Set<string>();

function fieldJson(typeName: string, name: string, spec: string): protobuf.IField & { keyType?: string } {
  const parts = spec.split(' ');
  const [type, idText] = parts;
  const field: protobuf.IField & { keyType?: string; options?: Record<string, unknown> } = { type, id: Number(idText) };
  const mapMatch = /^map<(\w+),([\w.]+)>$/.exec(type);
  if (mapMatch) {
    field.keyType = mapMatch[1];
    field.type = mapMatch[2];
  }
  for (const flag of parts.slice(2)) {
    if (flag === '!') field.rule = 'required';
    else if (flag === '*') field.rule = 'repeated';
    else if (flag === '~') deprecatedFields.add(`${typeName}.${name}`);
    else if (flag.startsWith('=')) field.options = { default: parseDefault(type, flag.slice(1)) };
  }
  return field;
}

function parseDefault(type: string, text: string): string | number | boolean {
  if (type === 'bool') return text === 'true';
  if (/^(double|float|u?int(32|64))$/.test(type)) return Number(text);
  return text;
}

/**
 * Builds protobufjs JSON for `defs`. Top-level types are pinned to edition "proto2": protobufjs 8
 * treats JSON-defined types as proto3 otherwise (implicit presence), which would drop zero values
 * such as TASK_STARTING, SOURCE_MASTER, Value.Type SCALAR or `healthy: false` from the wire.
 */
function toNamespace(prefix: string, defs: Record<string, MessageDef | EnumDef>, topLevel = true): Record<string, protobuf.AnyNestedObject> {
  const out: Record<string, protobuf.AnyNestedObject> = {};
  const edition = topLevel ? { edition: 'proto2' } : {};
  for (const [name, def] of Object.entries(defs)) {
    const full = `${prefix}.${name}`;
    if ('values' in def) {
      out[name] = { values: def.values, ...edition } as protobuf.AnyNestedObject;
      continue;
    }
    const fields: Record<string, protobuf.IField> = {};
    for (const [fname, spec] of Object.entries(def.fields)) fields[fname] = fieldJson(full, fname, spec);
    const nested = def.nested ? toNamespace(full, def.nested, false) : undefined;
    out[name] = (nested ? { fields, nested, ...edition } : { fields, ...edition }) as protobuf.AnyNestedObject;
  }
  return out;
}

let cachedRoot: protobuf.Root | undefined;

/** The protobufjs Root holding `mesos.v1` and `mesos.v1.scheduler` (built once). */
export function mesosRoot(): protobuf.Root {
  if (!cachedRoot) {
    const v1Nested = toNamespace('mesos.v1', v1);
    v1Nested.scheduler = { nested: toNamespace('mesos.v1.scheduler', scheduler) };
    cachedRoot = protobuf.Root.fromJSON({ nested: { mesos: { nested: { v1: { nested: v1Nested } } } } });
    cachedRoot.resolveAll();
  }
  return cachedRoot;
}

let cachedCall: protobuf.Type | undefined;
let cachedEvent: protobuf.Type | undefined;
/** mesos.v1.scheduler.Call and Event, looked up once (every call and every event needs one). */
export const callType = (): protobuf.Type => (cachedCall ??= mesosRoot().lookupType('mesos.v1.scheduler.Call'));
export const eventType = (): protobuf.Type => (cachedEvent ??= mesosRoot().lookupType('mesos.v1.scheduler.Event'));
