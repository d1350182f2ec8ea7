import { Injectable } from '@nestjs/common';
import { ApiResult } from '../common/api-result';
import { Clock } from '../common/clock';
import { parseBool, parseList } from '../common/query';
import { canonicalizeId, isValidAbsoluteId, type AppDefinition } from '../core/apps';
import { DomainError, DomainErrorCode } from '../core/errors';
import { groupChangeFailed, groupChangeSuccess } from '../core/events/marathon-events';
import {
  ancestorsOf,
  appGroupClashes,
  buildGroupTree,
  cycleError,
  findCycle,
  GROUP_MESSAGES,
  groupInfoJson,
  isAtOrBelow,
  isBelow,
  keepAssignedPorts,
  namedIds,
  parseGroupEmbeds,
  parseGroupUpdate,
  scaleApps,
  targetOf,
  transitiveApps,
  unknownDependencyDetails,
  withGroupDependencies,
  type DeclaredDependency,
  type GroupDependencies,
  type GroupEmbeds,
  type GroupNode,
  type GroupSpec,
  type MemberApp,
} from '../core/groups';
import type { DeploymentStep } from '../core/deployments/deployment';
import type { TaskCounts, TaskRecord } from '../core/instances/task-view';
import type { TaskFailure } from '../core/instances/instance';
import { ChangeService, type ChangeRequest, type ChangeResult } from '../deployments/change.service';
import { EventBus } from '../events/event-bus';
import { AppStore } from '../persistence/app-store';
import { GroupStore, type SubtreeApp } from '../persistence/group-store';
import { InstanceStore } from '../persistence/instance-store';
import { TaskFailureStore } from '../persistence/task-failure-store';
import { taskFailureJson, taskJson } from '../tasks/dto/task.mapper';
import { groupAppEmbeds, groupAppJson, type GroupAppRuntime } from './dto/group.mapper';

export type Query = Readonly<Record<string, unknown>>;

const DEPLOYMENT_HEADER = 'Marathon-Deployment-Id';
const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };

function notFound(id: string): DomainError {
  return new DomainError(DomainErrorCode.GROUP_NOT_FOUND, `Group '${id}' does not exist`);
}

function deploymentResult(r: ChangeResult, status = 200, extraHeaders: Record<string, string> = {}): ApiResult {
  return new ApiResult(status, { deploymentId: r.deploymentId, version: r.version }, { [DEPLOYMENT_HEADER]: r.deploymentId, ...extraHeaders });
}

/** Marathon's dry-run answer: the plan's steps, `{"steps":[{"actions":[{"action","app"}]}]}`. */
function dryRunResult(steps: readonly DeploymentStep[]): ApiResult {
  return new ApiResult(200, { steps: steps.map((s) => ({ actions: s.actions.map((a) => ({ action: a.action, app: a.app })) })) });
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** An app of a recorded version, for the tree: its definition carries its id and version. */
interface RecordedApp extends MemberApp {
  readonly definition: AppDefinition;
}

/**
 * Responsibilities: Marathon's /v2/groups — GroupInfo answers built from the apps and stored groups
 * of the asked subtree; group creates, updates (apps, subgroups, dependencies), scaleBy, rollback to
 * a recorded version, dry runs and deletes, each as ONE change through ChangeService (one
 * transaction, one deployment ordered by dependencies) that also writes the affected group rows;
 * group_change_success / group_change_failed on the event bus.
 * Non-responsibilities: planning and locking (ChangeService, core), the tree and body rules (core/groups).
 */
@Injectable()
export class GroupsService {
  constructor(
    private readonly groups: GroupStore,
    private readonly store: AppStore,
    private readonly changes: ChangeService,
    private readonly instances: InstanceStore,
    private readonly failures: TaskFailureStore,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  /** Canonical group id from a URL segment (undefined = root); 404 for anything that cannot be one. */
  private pathId(raw: string | undefined): string {
    if (raw === undefined) return '/';
    const id = canonicalizeId(raw, '/');
    if (id !== '/' && !isValidAbsoluteId(id)) throw notFound(id);
    return id;
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  async get(rawId: string | undefined, query: Query): Promise<ApiResult<string>> {
    // `/v2/groups/versions[/<v>]`: the root's versions (Marathon's ListRootVersionRE / GetRootVersionRE).
    if (rawId === 'versions') return this.versions(undefined);
    if (rawId?.startsWith('versions/')) return this.version(undefined, rawId.slice('versions/'.length), query);
    const id = this.pathId(rawId);
    const embeds = parseGroupEmbeds(parseList(query.embed));
    const { apps, groups } = await this.groups.subtree(id, embeds.apps);
    const tree = buildGroupTree(id, apps, groups);
    if (!tree) throw notFound(id);
    return new ApiResult(200, await this.render(tree, embeds, id === '/'), JSON_TYPE);
  }

  /** GroupInfo text with the app-level embeds read for every app of the subtree (one statement each). */
  private async render(tree: GroupNode<SubtreeApp>, embeds: GroupEmbeds, everything: boolean): Promise<string> {
    const e = groupAppEmbeds(embeds.app);
    const apps = embeds.apps ? transitiveApps(tree) : [];
    const ids = everything ? undefined : apps.map((a) => a.id);
    const none = apps.length === 0;
    const [deployments, counts, tasks, ports, failures] = await Promise.all([
      e.deployments && !none ? this.store.deploymentsByApp(ids) : new Map<string, string[]>(),
      e.counts && !none ? this.instances.taskCounts(ids) : new Map<string, TaskCounts>(),
      e.tasks && !none ? this.instances.tasks({ appIds: ids }) : [],
      e.tasks && !none ? this.store.servicePortsOf(apps.map((a) => a.id)) : new Map<string, number[]>(),
      e.lastTaskFailure && !none ? this.failures.byApps(ids) : new Map<string, TaskFailure>(),
    ]);
    const tasksByApp = new Map<string, TaskRecord[]>();
    for (const t of tasks) {
      const list = tasksByApp.get(t.appId);
      if (list) list.push(t);
      else tasksByApp.set(t.appId, [t]);
    }
    return groupInfoJson(tree, embeds, (app) => {
      const failure = failures.get(app.id);
      const runtime: GroupAppRuntime = {
        deployments: deployments.get(app.id),
        counts: counts.get(app.id),
        ...(e.tasks ? { tasksJson: JSON.stringify((tasksByApp.get(app.id) ?? []).map((t) => taskJson(t, ports.get(app.id) ?? []))) } : {}),
        ...(failure ? { lastTaskFailureJson: JSON.stringify(taskFailureJson(failure)) } : {}),
      };
      return groupAppJson(app.json, runtime, e);
    });
  }

  /** Recorded versions of a group, newest first (Marathon answers a bare array). */
  async versions(rawId: string | undefined): Promise<ApiResult<string>> {
    const id = this.pathId(rawId);
    const [versions, { apps, groups }] = await Promise.all([this.groups.versions(id), this.groups.subtree(id, false)]);
    if (versions.length === 0 && !buildGroupTree(id, apps, groups)) throw notFound(id);
    return new ApiResult(200, JSON.stringify(versions), JSON_TYPE);
  }

  /** The group as recorded at a version (its apps as bare definitions). */
  async version(rawId: string | undefined, version: string, query: Query): Promise<ApiResult<string>> {
    const id = this.pathId(rawId);
    const at = Date.parse(version);
    const recorded = Number.isNaN(at) ? undefined : await this.groups.recorded(id, new Date(at));
    if (!recorded) throw new DomainError(DomainErrorCode.GROUP_NOT_FOUND, `Group '${id}' does not exist in version ${version}`);
    const apps: RecordedApp[] = recorded.apps.map((a) => ({ id: a.id, version: a.version ?? '', definition: a }));
    const tree = buildGroupTree(id, apps, recorded.groups) as GroupNode<RecordedApp>;
    const embeds = parseGroupEmbeds(parseList(query.embed));
    return new ApiResult(200, groupInfoJson(tree, embeds, (a) => JSON.stringify(a.definition)), JSON_TYPE);
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  /** POST /v2/groups[/{id}]: creates the group the body describes (its id relative to the URL's). */
  async create(rawId: string | undefined, body: unknown, query: Query): Promise<ApiResult> {
    const base = this.pathId(rawId);
    const force = parseBool(query.force, 'force', false);
    const change = parseGroupUpdate(body, base);
    const id = change.kind === 'update' ? change.spec.id : change.id;
    if (id === '/') throw new DomainError(DomainErrorCode.CONFLICT, 'Group / is already created. Use PUT to change this group.');
    if (change.kind !== 'update') return this.apply(change, force, false);
    const result = await this.published(id, () => this.update(change.spec, change.declared, force, false, true));
    return deploymentResult(result, 201, { Location: `/v2/groups${id}` });
  }

  /** PUT /v2/groups[/{id}]: update (or create), scaleBy, rollback to `version`; `dryRun=true` plans only. */
  async put(rawId: string | undefined, body: unknown, query: Query): Promise<ApiResult> {
    const base = this.pathId(rawId);
    const force = parseBool(query.force, 'force', false);
    const dryRun = parseBool(query.dryRun, 'dryRun', false);
    return this.apply(parseGroupUpdate(body, base), force, dryRun);
  }

  /** PUT /v2/groups/{id}/versions/{version}: rollback (the python client's `rollback_group`). */
  async rollbackTo(rawId: string | undefined, version: string, query: Query): Promise<ApiResult> {
    const body = { version };
    return this.put(rawId, body, query);
  }

  async delete(rawId: string | undefined, query: Query): Promise<ApiResult> {
    const id = this.pathId(rawId);
    const force = parseBool(query.force, 'force', false);
    const result = await this.published(id, async () => {
      const { apps, groups } = await this.groups.subtree(id, false);
      if (id !== '/' && apps.length === 0 && groups.length === 0) throw notFound(id);
      return this.changes.apply({
        ids: [id, ...apps.map((a) => a.id)],
        force,
        apply: (current) => {
          const out = new Map<string, AppDefinition | null>();
          for (const appId of current.keys()) if (isBelow(appId, id)) out.set(appId, null);
          return out;
        },
        groups: { upsert: [], remove: groups.map((g) => g.id), forgetVersionsOf: id },
      });
    });
    return deploymentResult(result);
  }

  private async apply(change: ReturnType<typeof parseGroupUpdate>, force: boolean, dryRun: boolean): Promise<ApiResult> {
    const id = change.kind === 'update' ? change.spec.id : change.id;
    const run = (): Promise<ChangeResult> => {
      switch (change.kind) {
        case 'rollback':
          return this.rollback(id, change.version, force, dryRun);
        case 'scale':
          return this.scale(id, change.scaleBy, force, dryRun);
        case 'update':
          return this.update(change.spec, change.declared, force, dryRun, false);
      }
    };
    if (dryRun) {
      const result = await run();
      return dryRunResult(result.steps ?? []);
    }
    return deploymentResult(await this.published(id, run));
  }

  /** Runs a group change and publishes group_change_success, or group_change_failed and rethrows. */
  private async published(id: string, change: () => Promise<ChangeResult>): Promise<ChangeResult> {
    try {
      const result = await change();
      this.events.publish(groupChangeSuccess(id, result.version, this.clock.now()));
      return result;
    } catch (error) {
      const now = this.clock.now();
      this.events.publish(groupChangeFailed(id, now.toISOString(), error instanceof Error ? error.message : String(error), now));
      throw error;
    }
  }

  /** Dependencies of the stored groups outside `id`, plus the given ones (the target's, inside it). */
  private async groupDependencies(id: string, inside: Iterable<[string, readonly string[]]>): Promise<GroupDependencies> {
    const all = await this.groups.groupDependencies();
    const out = new Map<string, readonly string[]>();
    for (const [g, deps] of all) if (!isAtOrBelow(g, id)) out.set(g, deps);
    for (const [g, deps] of inside) if (deps.length > 0) out.set(g, deps);
    return out;
  }

  private async update(spec: GroupSpec, declared: readonly DeclaredDependency[], force: boolean, dryRun: boolean, creating: boolean): Promise<ChangeResult> {
    const id = spec.id;
    const [pre, apps] = await Promise.all([this.groups.subtree(id, false), this.groups.appsAmong(id === '/' ? [] : [id, ...ancestorsOf(id)])]);
    if (apps.has(id)) throw new DomainError(DomainErrorCode.CONFLICT, `An app with the path ${id} already exists.`);
    if (apps.size > 0) throw DomainError.validation([{ path: '/id', errors: [`${GROUP_MESSAGES.sameId} ${[...apps].sort().join(', ')}`] }]);
    const exists = (): DomainError => new DomainError(DomainErrorCode.CONFLICT, `Group ${id} is already created. Use PUT to change this group.`);
    if (creating && (pre.apps.length > 0 || pre.groups.length > 0)) throw exists();
    const stored = new Map(pre.groups.map((g) => [g.id, g.dependencies]));
    const target = targetOf(spec, stored);
    const kept = pre.apps.map((a) => a.id).filter((appId) => !target.apps.has(appId) && target.keeps(appId));
    const finalApps = [...target.apps.keys(), ...kept];

    const clashes = appGroupClashes(finalApps, target.groups.keys());
    if (clashes.length > 0) throw DomainError.validation([{ path: '/', errors: [`${GROUP_MESSAGES.sameId} ${clashes.join(', ')}`] }]);
    const named = namedIds(finalApps, target.groups.keys());
    const outside = declared.map((d) => d.id).filter((dep) => !named.has(dep) && !isAtOrBelow(dep, id));
    const [existing, groupDeps] = await Promise.all([this.groups.existing(outside), this.groupDependencies(id, target.groups)]);
    const unknown = unknownDependencyDetails(declared, (dep) => named.has(dep) || existing.has(dep));
    if (unknown.length > 0) throw DomainError.validation(unknown);

    const upsert = [...target.groups]
      .filter(([g, deps]) => g === id || !sameList(stored.get(g), deps))
      .map(([g, deps]) => ({ id: g, dependencies: deps }));
    const remove = [...stored.keys()].filter((g) => !target.groups.has(g));
    const request: ChangeRequest = {
      ids: [...new Set([id, ...target.groups.keys(), ...pre.apps.map((a) => a.id), ...target.apps.keys()])],
      force,
      dryRun,
      groups: { upsert, remove, snapshot: id },
      groupDependencies: groupDeps,
      apply: (current) => {
        // Another create of the same group committed between the read above and the locks.
        if (creating && [...current.keys()].some((appId) => isBelow(appId, id))) throw exists();
        for (const g of target.groups.keys()) {
          if (current.has(g)) throw DomainError.validation([{ path: '/', errors: [`${GROUP_MESSAGES.sameId} ${g}`] }]);
        }
        const wanted = new Map<string, AppDefinition | null>();
        const after = new Map<string, AppDefinition>();
        for (const [appId, app] of target.apps) {
          const next = keepAssignedPorts(app, current.get(appId));
          wanted.set(appId, next);
          after.set(appId, next);
        }
        for (const [appId, app] of current) {
          if (!isBelow(appId, id) || target.apps.has(appId)) continue;
          if (target.keeps(appId)) after.set(appId, app);
          else wanted.set(appId, null);
        }
        const cycle = findCycle(withGroupDependencies(after, groupDeps));
        if (cycle) throw cycleError(cycle);
        return wanted;
      },
    };
    return this.changes.apply(request);
  }

  private async scale(id: string, scaleBy: number, force: boolean, dryRun: boolean): Promise<ChangeResult> {
    const [{ apps, groups }, groupDeps] = await Promise.all([this.groups.subtree(id, false), this.groups.groupDependencies()]);
    if (id !== '/' && apps.length === 0 && groups.length === 0) throw notFound(id);
    return this.changes.apply({
      ids: [id, ...apps.map((a) => a.id)],
      force,
      dryRun,
      groups: { upsert: [], remove: [], snapshot: id },
      groupDependencies: groupDeps,
      apply: (current) => {
        const below = [...current.values()].filter((a) => isBelow(a.id, id));
        const { changed, tooLarge } = scaleApps(below, scaleBy);
        if (tooLarge.length > 0) throw DomainError.validation([{ path: '/scaleBy', errors: [`would scale ${tooLarge.join(', ')} beyond ${2 ** 31 - 1} instances`] }]);
        return new Map([...changed].map(([appId, instances]) => [appId, { ...(current.get(appId) as AppDefinition), instances }]));
      },
    });
  }

  private async rollback(id: string, version: string, force: boolean, dryRun: boolean): Promise<ChangeResult> {
    const [recorded, pre] = await Promise.all([this.groups.recorded(id, new Date(version)), this.groups.subtree(id, false)]);
    if (!recorded) throw new DomainError(DomainErrorCode.VALIDATION, `Group ${id} not available in version ${version}`);
    const groupDeps = await this.groupDependencies(id, recorded.groups.map((g) => [g.id, g.dependencies]));
    const old = new Map(recorded.apps.map((a) => [a.id, a]));
    const stored = new Map(pre.groups.map((g) => [g.id, g.dependencies]));
    return this.changes.apply({
      ids: [...new Set([id, ...recorded.groups.map((g) => g.id), ...pre.apps.map((a) => a.id), ...old.keys()])],
      force,
      dryRun,
      keepConfigVersion: true,
      groups: {
        upsert: recorded.groups.map((g) => ({ id: g.id, dependencies: g.dependencies })),
        remove: [...stored.keys()].filter((g) => !recorded.groups.some((r) => r.id === g)),
        snapshot: id,
      },
      groupDependencies: groupDeps,
      apply: (current) => {
        const wanted = new Map<string, AppDefinition | null>(old);
        for (const appId of current.keys()) if (isBelow(appId, id) && !old.has(appId)) wanted.set(appId, null);
        return wanted;
      },
    });
  }
}
