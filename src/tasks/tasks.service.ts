import { Inject, Injectable } from '@nestjs/common';
import { ApiResult } from '../common/api-result';
import { parseBool, parseList, parseOptionalString } from '../common/query';
import { canonicalizeId, isValidAbsoluteId, type AppDefinition } from '../core/apps';
import { DomainError, DomainErrorCode } from '../core/errors';
import { parseTaskId } from '../core/instances/ids';
import { isActive, type Instance } from '../core/instances/instance';
import { hasTask, isKillable, statesForConditions } from '../core/instances/task-view';
import { ChangeService } from '../deployments/change.service';
import { AppStore } from '../persistence/app-store';
import { InstanceStore } from '../persistence/instance-store';
import { Leadership } from '../leader/leadership';
import { requireScheduler } from '../leader/leader-required';
import { SCHEDULER_CONTROL, type SchedulerControl } from '../scheduler/scheduler-control';
import { taskJson, type TaskJson } from './dto/task.mapper';

export type Query = Readonly<Record<string, unknown>>;

interface KillOptions {
  readonly scale: boolean;
  readonly wipe: boolean;
  readonly force: boolean;
}

function appNotFound(id: string): DomainError {
  return new DomainError(DomainErrorCode.APP_NOT_FOUND, `App '${id}' does not exist`);
}

function killOptions(query: Query): KillOptions {
  const scale = parseBool(query.scale, 'scale', false);
  const wipe = parseBool(query.wipe, 'wipe', false);
  if (scale && wipe) throw DomainError.badRequest('You cannot use scale and wipe at the same time.');
  return { scale, wipe, force: parseBool(query.force, 'force', false) };
}

/** `{"ids": ["<task id>", ...]}`, every id a valid task id (400 otherwise, as Marathon). */
function taskIdsOf(body: unknown): string[] {
  const ids = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { ids?: unknown }).ids : undefined;
  if (!Array.isArray(ids) || !ids.every((id): id is string => typeof id === 'string')) {
    throw DomainError.badRequest('Invalid JSON', [{ path: '/ids', errors: ['error.expected.jsarray of task ids (strings)'] }]);
  }
  for (const id of ids) if (!parseTaskId(id).ok) throw DomainError.badRequest(`Invalid task id '${id}'`);
  return ids;
}

function byApp(instances: readonly Instance[]): Map<string, Instance[]> {
  const out = new Map<string, Instance[]>();
  for (const i of instances) {
    const list = out.get(i.appId);
    if (list) list.push(i);
    else out.set(i.appId, [i]);
  }
  return out;
}

/**
 * Responsibilities: Marathon's task endpoints (reference §1.2 app tasks, §1.4 /v2/tasks): list tasks
 * from the instance rows the leader writes, and kill them — directly through the scheduler
 * (`scale=false`), or as a scale-down deployment that sentences them (`scale=true`) through the one
 * write path. Non-responsibilities: killing (the scheduler), choosing victims of a plain scale-down.
 */
@Injectable()
export class TasksService {
  constructor(
    private readonly apps: AppStore,
    private readonly instances: InstanceStore,
    private readonly changes: ChangeService,
    @Inject(SCHEDULER_CONTROL) private readonly scheduler: SchedulerControl,
    private readonly leadership: Leadership,
  ) {}

  /** Canonical app id from a URL segment; 404 for anything that cannot be an app id. */
  private pathId(raw: string): string {
    const id = canonicalizeId(raw, '/');
    if (!isValidAbsoluteId(id)) throw appNotFound(id);
    return id;
  }

  /** GET /v2/apps/{id}/tasks, and `{group}/*` for every app below the group. */
  async appTasks(rawId: string): Promise<{ tasks: TaskJson[] }> {
    if (rawId === '*' || rawId.endsWith('/*')) {
      const group = canonicalizeId(rawId.slice(0, -1) || '/', '/');
      const apps = await this.apps.listAppsText({ under: group }, { servicePorts: true });
      const ports = new Map(apps.map((a) => [a.id, a.servicePorts ?? []]));
      const tasks = await this.instances.tasks({ appIds: [...ports.keys()] });
      return { tasks: tasks.map((t) => taskJson(t, ports.get(t.appId) ?? [])) };
    }
    const id = this.pathId(rawId);
    const [ports, tasks] = await Promise.all([this.apps.servicePortsOf([id]), this.instances.tasks({ appIds: [id] })]);
    const servicePorts = ports.get(id);
    if (servicePorts === undefined) throw appNotFound(id);
    return { tasks: tasks.map((t) => taskJson(t, servicePorts)) };
  }

  /**
   * GET /v2/tasks: tasks of every app, optionally only in the given conditions (`status=running`,
   * repeated or as `status[]=`, case-insensitive). Tasks of apps that no longer exist are left out.
   */
  async list(query: Query): Promise<{ tasks: TaskJson[] }> {
    const statuses = [...parseList(query.status), ...parseList(query['status[]'])];
    const tasks = await this.instances.tasks({ states: statuses.length > 0 ? statesForConditions(statuses) : undefined });
    const ports = await this.apps.servicePortsOf([...new Set(tasks.map((t) => t.appId))]);
    const out: TaskJson[] = [];
    for (const t of tasks) {
      const servicePorts = ports.get(t.appId);
      if (servicePorts !== undefined) out.push(taskJson(t, servicePorts));
    }
    return { tasks: out };
  }

  /** DELETE /v2/apps/{id}/tasks?host=: the app's active tasks, on that agent host (`*` or absent: all). */
  async killAppTasks(rawId: string, query: Query): Promise<ApiResult | { tasks: TaskJson[] }> {
    const options = killOptions(query);
    const host = parseOptionalString(query.host, 'host');
    const id = this.pathId(rawId);
    if (!options.scale) requireScheduler(this.scheduler, this.leadership);
    const [ports, tasks] = await Promise.all([this.apps.servicePortsOf([id]), this.instances.tasks({ appIds: [id] })]);
    if (!ports.has(id)) throw appNotFound(id);
    const selected = tasks.filter((t) => isActive(t) && (host === undefined || host === '*' || t.host === host));
    if (options.scale) return this.scaleDown(new Map([[id, selected]]), options.force, true);
    return { tasks: await this.kill(selected, ports, options.wipe) };
  }

  /** DELETE /v2/apps/{id}/tasks/{taskId}: 404 unless it is the current task of one of the app's instances. */
  async killAppTask(rawId: string, taskId: string, query: Query): Promise<ApiResult | { task: TaskJson }> {
    const options = killOptions(query);
    const id = this.pathId(rawId);
    if (!options.scale) requireScheduler(this.scheduler, this.leadership);
    const [ports, found] = await Promise.all([this.apps.servicePortsOf([id]), this.instances.byTaskIds([taskId])]);
    if (!ports.has(id)) throw appNotFound(id);
    const task = found.find((i) => i.appId === id && hasTask(i));
    if (task === undefined) throw new DomainError(DomainErrorCode.TASK_NOT_FOUND, `Task '${taskId}' does not exist`);
    if (options.scale) return this.scaleDown(new Map([[id, [task]]]), options.force, true);
    const [killed] = await this.kill([task], ports, options.wipe);
    return { task: killed };
  }

  /**
   * POST /v2/tasks/delete {"ids": [...]}: tasks of any apps. Ids of tasks that are not current are
   * ignored (as in Marathon); an id that is not a task id at all is a 400.
   */
  async killMany(body: unknown, query: Query): Promise<ApiResult | { tasks: TaskJson[] }> {
    const options = killOptions(query);
    const ids = taskIdsOf(body);
    if (!options.scale) requireScheduler(this.scheduler, this.leadership);
    const found = (await this.instances.byTaskIds(ids)).filter(hasTask);
    if (options.scale) return this.scaleDown(byApp(found), options.force, false);
    const ports = await this.apps.servicePortsOf([...new Set(found.map((t) => t.appId))]);
    return { tasks: await this.kill(found, ports, options.wipe) };
  }

  /** Asks the scheduler to kill the tasks; answers them as they were before the kill. */
  private async kill(tasks: readonly Instance[], ports: ReadonlyMap<string, readonly number[]>, wipe: boolean): Promise<TaskJson[]> {
    const before = tasks.map((t) => taskJson(t, ports.get(t.appId) ?? []));
    if (tasks.length > 0) await this.scheduler.killInstances(tasks.map((t) => t.instanceId), wipe);
    return before;
  }

  /**
   * `scale=true`: one deployment lowering each app's `instances` by its selected tasks that may
   * still run and are not being killed already (never below 0), with those instances sentenced
   * (killed first by the ScaleApplication). 409 while a deployment holds an app, unless `force`.
   */
  private async scaleDown(selected: ReadonlyMap<string, readonly Instance[]>, force: boolean, appMustExist: boolean): Promise<ApiResult> {
    const sentenced = new Map<string, string[]>();
    for (const [app, tasks] of selected) sentenced.set(app, tasks.filter(isKillable).map((t) => t.instanceId));
    const result = await this.changes.apply({
      ids: [...sentenced.keys()],
      force,
      sentenced,
      apply: (current) => {
        const out = new Map<string, AppDefinition>();
        for (const [app, ids] of sentenced) {
          const def = current.get(app);
          if (def === undefined) {
            if (appMustExist) throw appNotFound(app);
            continue;
          }
          out.set(app, { ...def, instances: Math.max(0, def.instances - ids.length) });
        }
        return out;
      },
    });
    return new ApiResult(200, { deploymentId: result.deploymentId, version: result.version }, { 'Marathon-Deployment-Id': result.deploymentId });
  }
}
