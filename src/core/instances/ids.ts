/**
 * Marathon's instance and task id formats (Marathon 1.10: `core/instance/Instance.scala` `Instance.Id`,
 * `core/task/Task.scala` `Task.Id`), so that existing tools that parse task ids keep working.
 *
 *   app id       /prod/web.v2/api
 *   safe path    prod_web.v2_api                       ("/" → "_", the leading one dropped)
 *   instance id  prod_web.v2_api.instance-<uuid>
 *   task id      prod_web.v2_api.instance-<uuid>._app.<incarnation>
 *
 * Parsing is unambiguous because app id segments never contain "_" and the uuid never contains ".":
 * the instance part is the longest prefix ending in `.instance-<uuid>` (Marathon's
 * `^(.+)\.(instance-|marathon-)([^\.]+)$`). Marathon ≤ 1.4 wrote `marathon-` instead of `instance-`;
 * parse accepts both and keeps the prefix so that the id round-trips. Ids generated here always use
 * `instance-`. The incarnation starts at 1 for the first task of an instance and grows by one on each
 * relaunch of the same instance.
 *
 * Legacy task ids without an instance part (`<safe path>.<uuid>`, Marathon < 1.4) are accepted only by
 * `appIdFromTaskId`, where Marathon's reconciliation needs them to recognise its own old tasks.
 */
import { idSegments, isValidAbsoluteId } from '../apps/path-id';

export type InstanceIdPrefix = 'instance-' | 'marathon-';

/** Marathon's container name for the single task of an app instance (pods use container names). */
export const APP_CONTAINER_NAME = '_app';

export interface ParsedInstanceId {
  readonly instanceId: string;
  /** absolute app id, e.g. `/prod/api` */
  readonly appId: string;
  readonly uuid: string;
  readonly prefix: InstanceIdPrefix;
}

export interface ParsedTaskId extends ParsedInstanceId {
  readonly taskId: string;
  readonly incarnation: number;
}

export type IdParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** The uuid part: what Marathon's generator produces (hex and dashes), plus any other letters/digits. */
const UUID_RE = /^[A-Za-z0-9-]+$/;
const INSTANCE_RE = /^(.+)\.(instance-|marathon-)([^.]+)$/;
const TASK_RE = /^(.+\.(?:instance-|marathon-)[^.]+)\.([^.]+)\.([^.]+)$/;
const INCARNATION_RE = /^(0|[1-9][0-9]*)$/;
const LEGACY_TASK_RE = /^(.+)[._]([^_.]+)$/;

/** `/a/b` → `a_b` (Marathon `PathId.safePath`). */
export function toSafePath(appId: string): string {
  return idSegments(appId).join('_');
}

/** `a_b` → `/a/b` (Marathon `PathId.fromSafePath`). */
export function fromSafePath(safePath: string): string {
  return `/${safePath.split('_').filter((s) => s.length > 0).join('/')}`;
}

function assertUuid(uuid: string): void {
  if (!UUID_RE.test(uuid)) throw new Error(`invalid instance uuid '${uuid}': only letters, digits and '-' are allowed`);
}

/** Instance id for a new instance of `appId`; `uuid` is supplied by the caller (randomness is a parameter). */
export function formatInstanceId(appId: string, uuid: string): string {
  if (!isValidAbsoluteId(appId)) throw new Error(`invalid app id '${appId}'`);
  assertUuid(uuid);
  return `${toSafePath(appId)}.instance-${uuid}`;
}

/** Task id of the `incarnation`-th task of an instance (1 for the first launch). */
export function formatTaskId(instanceId: string, incarnation: number): string {
  if (!Number.isSafeInteger(incarnation) || incarnation < 0) throw new Error(`invalid incarnation ${incarnation}`);
  return `${instanceId}.${APP_CONTAINER_NAME}.${incarnation}`;
}

export function parseInstanceId(id: string): IdParseResult<ParsedInstanceId> {
  const m = INSTANCE_RE.exec(id);
  if (!m) return { ok: false, reason: `'${id}' is not an instance id: expected <app path with _>.instance-<uuid>` };
  const [, safePath, prefix, uuid] = m as unknown as [string, string, InstanceIdPrefix, string];
  if (!UUID_RE.test(uuid)) return { ok: false, reason: `'${id}': uuid '${uuid}' may contain only letters, digits and '-'` };
  if (safePath.startsWith('_') || safePath.endsWith('_') || safePath.includes('__')) {
    return { ok: false, reason: `'${id}': app path '${safePath}' has an empty segment` };
  }
  const appId = fromSafePath(safePath);
  if (!isValidAbsoluteId(appId)) return { ok: false, reason: `'${id}': '${appId}' is not a valid app id` };
  return { ok: true, value: { instanceId: id, appId, uuid, prefix } };
}

export function parseTaskId(id: string): IdParseResult<ParsedTaskId> {
  const m = TASK_RE.exec(id);
  if (!m) return { ok: false, reason: `'${id}' is not a task id: expected <instance id>._app.<incarnation>` };
  const [, instancePart, container, incarnationText] = m as unknown as [string, string, string, string];
  if (container !== APP_CONTAINER_NAME) {
    return { ok: false, reason: `'${id}': container '${container}' is not '${APP_CONTAINER_NAME}' (pod tasks are not supported)` };
  }
  if (!INCARNATION_RE.test(incarnationText)) return { ok: false, reason: `'${id}': incarnation '${incarnationText}' is not a number` };
  const incarnation = Number(incarnationText);
  if (!Number.isSafeInteger(incarnation)) return { ok: false, reason: `'${id}': incarnation '${incarnationText}' is too large` };
  const instance = parseInstanceId(instancePart);
  if (!instance.ok) return instance;
  return { ok: true, value: { ...instance.value, taskId: id, incarnation } };
}

/**
 * The app id a task id belongs to, or undefined when the id is not one of ours. Accepts current task
 * ids, bare instance ids (Marathon ≤ 1.6 resident tasks used them) and legacy `<safe path>.<uuid>` ids.
 */
export function appIdFromTaskId(id: string): string | undefined {
  const task = parseTaskId(id);
  if (task.ok) return task.value.appId;
  const instance = parseInstanceId(id);
  if (instance.ok) return instance.value.appId;
  const legacy = LEGACY_TASK_RE.exec(id);
  if (!legacy) return undefined;
  const [, safePath, uuid] = legacy as unknown as [string, string, string];
  if (!UUID_RE.test(uuid) || safePath.includes('__') || safePath.startsWith('_') || safePath.endsWith('_')) return undefined;
  const appId = fromSafePath(safePath);
  return isValidAbsoluteId(appId) ? appId : undefined;
}

/** Task id of the next launch of the instance that `taskId` belongs to (incarnation + 1). */
export function nextTaskId(taskId: string): string {
  const parsed = parseTaskId(taskId);
  if (!parsed.ok) throw new Error(parsed.reason);
  return formatTaskId(parsed.value.instanceId, parsed.value.incarnation + 1);
}
