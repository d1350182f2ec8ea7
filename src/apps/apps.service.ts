import { Injectable } from '@nestjs/common';
import { ApiResult } from '../common/api-result';
import { parseBool, parseList, parseOptionalString } from '../common/query';
import {
  canonicalizeId,
  isValidAbsoluteId,
  matchesLabelSelector,
  mergeAppUpdate,
  normalizeApp,
  parseLabelSelector,
  type AppDefinition,
} from '../core/apps';
import { DomainError, DomainErrorCode } from '../core/errors';
import { ChangeResult, ChangeService } from '../deployments/change.service';
import { AppStore } from '../persistence/app-store';
import type { Instance, TaskFailure } from '../core/instances/instance';
import { countTasks } from '../core/instances/task-view';
import { AppReadCache, type CachedApp, type CachedStatus } from '../persistence/app-read-cache';
import { AppStatusBatcher } from '../persistence/app-status-batcher';
import { InstanceStore, type AppTaskStatus } from '../persistence/instance-store';
import { TaskFailureStore } from '../persistence/task-failure-store';
import { taskFailureJson, taskJson } from '../tasks/dto/task.mapper';
import { appHeadJson, appInfoJson, appLiveJson, appTailJson, parseEmbeds, type AppEmbeds, type AppRuntime } from './dto/app.mapper';

export type Query = Readonly<Record<string, unknown>>;

const DEPLOYMENT_HEADER = 'Marathon-Deployment-Id';

function notFound(id: string): DomainError {
  return new DomainError(DomainErrorCode.APP_NOT_FOUND, `App '${id}' does not exist`);
}

/** Parses a body into a normalized app or throws Marathon's 422. */
function validApp(raw: unknown, base = '/'): AppDefinition {
  const result = normalizeApp(raw, { base });
  if (!result.ok) throw DomainError.validation(result.details);
  return result.app;
}

/** A JSON document already serialized (cache hits, lists built from stored JSON text). */
function rawJson(body: string): ApiResult<string> {
  return new ApiResult(200, body, { 'Content-Type': 'application/json; charset=utf-8' });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deploymentResult(r: ChangeResult, status = 200, extraHeaders: Record<string, string> = {}): ApiResult {
  return new ApiResult(status, { deploymentId: r.deploymentId, version: r.version }, { [DEPLOYMENT_HEADER]: r.deploymentId, ...extraHeaders });
}

/** A single app's embeds without an `embed` parameter (tasks and last failure always). */
const SINGLE_DEFAULT = parseEmbeds([], true);

/** An app's live status as its single-app answer shows it, whatever the embeds (serialized once, for the read cache). */
function renderStatus(status: AppTaskStatus, servicePorts: readonly number[]): CachedStatus {
  const runtime = {
    counts: countTasks(status.tasks),
    tasksJson: JSON.stringify(status.tasks.map((i) => taskJson(i, servicePorts))),
    ...(status.lastFailure ? { lastTaskFailureJson: JSON.stringify(taskFailureJson(status.lastFailure)) } : {}),
  };
  return { json: appLiveJson(runtime, SINGLE_DEFAULT), servicePorts };
}

/**
 * Responsibilities: Marathon's /v2/apps semantics (create, read, merge-or-replace updates,
 * rollback to a version, restart, delete, batch) on top of the one write path (ChangeService).
 */
@Injectable()
export class AppsService {
  constructor(
    private readonly store: AppStore,
    private readonly changes: ChangeService,
    private readonly cache: AppReadCache,
    private readonly instances: InstanceStore,
    private readonly failures: TaskFailureStore,
  ) {
    this.statuses = new AppStatusBatcher(instances);
  }

  /** Status reads of single-app GETs, batched per event-loop turn. */
  private readonly statuses: AppStatusBatcher;

  /** Canonical app id from a URL segment; 404 for anything that cannot be an app id. */
  private pathId(raw: string): string {
    const id = canonicalizeId(raw, '/');
    if (!isValidAbsoluteId(id)) throw notFound(id);
    return id;
  }

  async list(query: Query): Promise<ApiResult<string>> {
    const embeds = parseEmbeds(parseList(query.embed), false);
    const labelSel = parseOptionalString(query.label, 'label');
    const selector = labelSel ? parseLabelSelector(labelSel) : undefined;
    const filter = { id: parseOptionalString(query.id, 'id'), cmd: parseOptionalString(query.cmd, 'cmd') };
    // Unfiltered, the live status of every app is read alongside the apps; filtered, only theirs, after.
    const everything = !filter.id && !filter.cmd && !selector;
    const [apps, deployments, live] = await Promise.all([
      this.store.listAppsText(filter, { labels: !!selector, servicePorts: embeds.tasks }),
      this.store.deploymentsByApp(),
      everything ? this.live(undefined, embeds) : undefined,
    ]);
    const selected = selector ? apps.filter((a) => matchesLabelSelector(selector, a.labels ?? {})) : apps;
    const status = live ?? (await this.live(selected.map((a) => a.id), embeds));
    return rawJson(`{"apps":[${selected.map((a) => appInfoJson(a.json, { deployments: deployments.get(a.id) ?? [], ...status(a.id, a.servicePorts) }, embeds)).join(',')}]}`);
  }

  async get(rawId: string, query: Query): Promise<ApiResult<string>> {
    const decoded = rawId; // Fastify already decoded the (rewritten) parameter
    // `GET /v2/apps/{group}/*`: every app below the group, as `{"*": [...]}`.
    if (decoded === '*' || decoded.endsWith('/*')) {
      const group = canonicalizeId(decoded.slice(0, -1) || '/', '/');
      const embeds = parseEmbeds(parseList(query.embed), false);
      const apps = await this.store.listAppsText({ under: group }, { servicePorts: embeds.tasks });
      const ids = apps.map((a) => a.id);
      const [deployments, status] = await Promise.all([this.store.deploymentsByApp(ids), this.live(ids, embeds)]);
      return rawJson(`{"*":[${apps.map((a) => appInfoJson(a.json, { deployments: deployments.get(a.id) ?? [], ...status(a.id, a.servicePorts) }, embeds)).join(',')}]}`);
    }
    // Both parts of the answer come from the read cache when they can (keys are canonical ids, so a
    // hit on '/' + the raw parameter needs no parsing or validation): the definition part, dropped
    // by app writes, and the live status (tasks, counts, last failure), dropped by the scheduler's
    // announced writes. A hit on both needs no database round trip.
    const embeds = query.embed === undefined ? SINGLE_DEFAULT : parseEmbeds(parseList(query.embed), true);
    const key = `/${rawId}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      const cached = this.cache.getStatus(key, hit.servicePorts);
      if (cached !== undefined) return rawJson(`{"app":${hit.head}${cached.json}${appTailJson(embeds)}}`);
      const token = this.cache.token();
      const status = renderStatus(await this.statuses.get(key), hit.servicePorts);
      this.cache.fillStatus(key, status, token);
      return rawJson(`{"app":${hit.head}${status.json}${appTailJson(embeds)}}`);
    }
    const id = this.pathId(rawId);
    const token = this.cache.token();
    const [found, fresh] = await Promise.all([this.store.getAppText(id), this.statuses.get(id)]);
    if (!found) throw notFound(id);
    const app: CachedApp = { head: appHeadJson(found.json, found.deployments), servicePorts: found.servicePorts };
    const status = renderStatus(fresh, app.servicePorts);
    this.cache.fill(id, app, token);
    this.cache.fillStatus(id, status, token);
    return rawJson(`{"app":${app.head}${status.json}${appTailJson(embeds)}}`);
  }

  /**
   * Live status of apps for list answers: counts always, tasks and last failures when embedded, each
   * one statement for all the apps (`ids` undefined = every app). Returns the runtime of one app.
   */
  private async live(ids: readonly string[] | undefined, embeds: AppEmbeds): Promise<(id: string, servicePorts?: readonly number[]) => Omit<AppRuntime, 'deployments'>> {
    const [counts, tasks, failures] = await Promise.all([
      this.instances.taskCounts(ids),
      embeds.tasks ? this.instances.tasks({ appIds: ids }) : [],
      embeds.lastTaskFailure ? this.failures.byApps(ids) : new Map<string, TaskFailure>(),
    ]);
    const tasksByApp = new Map<string, Instance[]>();
    for (const t of tasks) {
      const list = tasksByApp.get(t.appId);
      if (list) list.push(t);
      else tasksByApp.set(t.appId, [t]);
    }
    return (id, servicePorts = []) => {
      const failure = failures.get(id);
      return {
        counts: counts.get(id),
        ...(embeds.tasks ? { tasksJson: JSON.stringify((tasksByApp.get(id) ?? []).map((i) => taskJson(i, servicePorts))) } : {}),
        ...(failure ? { lastTaskFailureJson: JSON.stringify(taskFailureJson(failure)) } : {}),
      };
    };
  }

  async create(body: unknown, query: Query): Promise<ApiResult> {
    const force = parseBool(query.force, 'force', false);
    const app = validApp(body);
    const result = await this.changes.create(app, {
      ids: [app.id],
      force,
      apply: (current) => {
        if (current.has(app.id)) throw new DomainError(DomainErrorCode.APP_EXISTS, `An app with id [${app.id}] already exists.`);
        return new Map([[app.id, app]]);
      },
    });
    const stored = result.apps.get(app.id) ?? app;
    const info = appInfoJson(JSON.stringify(stored), { deployments: result.deployment ? [result.deployment.id] : [] }, parseEmbeds([], false));
    return new ApiResult(201, info, { 'Content-Type': 'application/json; charset=utf-8', Location: `/v2/apps${app.id}`, [DEPLOYMENT_HEADER]: result.deploymentId });
  }

  /**
   * PUT /v2/apps/{id} as Marathon 1.x: merges into the stored app by default (partialUpdate=true),
   * replaces with partialUpdate=false, creates when missing (201), and `{"version": ts}` rolls back.
   */
  async put(rawId: string, body: unknown, query: Query): Promise<ApiResult> {
    const id = this.pathId(rawId);
    const force = parseBool(query.force, 'force', false);
    const partial = parseBool(query.partialUpdate, 'partialUpdate', true);
    const rollback = this.rollbackVersion(body);
    if (rollback) return this.rollback(id, rollback, force);
    const result = await this.changes.apply({
      ids: [id],
      force,
      apply: (current) => new Map([[id, this.updated(id, current.get(id), body, partial)]]),
    });
    if (result.created.has(id)) return deploymentResult(result, 201, { Location: `/v2/apps${id}` });
    return deploymentResult(result);
  }

  async patch(rawId: string, body: unknown, query: Query): Promise<ApiResult> {
    const id = this.pathId(rawId);
    const force = parseBool(query.force, 'force', false);
    const result = await this.changes.apply({
      ids: [id],
      force,
      apply: (current) => {
        const before = current.get(id);
        if (!before) throw notFound(id);
        return new Map([[id, this.updated(id, before, body, true)]]);
      },
    });
    return deploymentResult(result);
  }

  /** PUT /v2/apps: one deployment for every app in the array (unknown ids are created). */
  async putMany(body: unknown, query: Query): Promise<ApiResult> {
    return this.updateMany(body, query, parseBool(query.partialUpdate, 'partialUpdate', true), true);
  }

  /** PATCH /v2/apps: always partial; every id must exist. */
  async patchMany(body: unknown, query: Query): Promise<ApiResult> {
    return this.updateMany(body, query, true, false);
  }

  private async updateMany(body: unknown, query: Query, partial: boolean, createMissing: boolean): Promise<ApiResult> {
    const force = parseBool(query.force, 'force', false);
    if (!Array.isArray(body)) throw DomainError.validation([{ path: '/', errors: ['error.expected.jsarray'] }]);
    const ids = body.map((item, i) => {
      const raw = isObject(item) ? item.id : undefined;
      if (typeof raw !== 'string') throw DomainError.validation([{ path: `(${i})/id`, errors: ['error.path.missing'] }]);
      return canonicalizeId(raw, '/');
    });
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) throw DomainError.validation([{ path: '/', errors: [`App '${dup}' appears more than once in the request`] }]);
    const result = await this.changes.apply({
      ids,
      force,
      apply: (current) => {
        const out = new Map<string, AppDefinition>();
        body.forEach((item, i) => {
          const id = ids[i];
          if (!createMissing && !current.has(id)) throw notFound(id);
          out.set(id, this.updated(id, current.get(id), item, partial));
        });
        return out;
      },
    });
    return deploymentResult(result);
  }

  async delete(rawId: string, query: Query): Promise<ApiResult> {
    const id = this.pathId(rawId);
    const force = parseBool(query.force, 'force', true);
    const result = await this.changes.apply({
      ids: [id],
      force,
      apply: (current) => {
        if (!current.has(id)) throw notFound(id);
        return new Map([[id, null]]);
      },
    });
    return deploymentResult(result);
  }

  async restart(rawId: string, query: Query): Promise<ApiResult> {
    const id = this.pathId(rawId);
    const force = parseBool(query.force, 'force', false);
    const result = await this.changes.apply({
      ids: [id],
      force,
      restart: new Set([id]),
      apply: (current) => {
        const app = current.get(id);
        if (!app) throw notFound(id);
        return new Map([[id, app]]);
      },
    });
    return deploymentResult(result);
  }

  async versions(rawId: string): Promise<{ versions: string[] }> {
    const id = this.pathId(rawId);
    const versions = await this.store.listVersions(id);
    if (!versions) throw notFound(id);
    return { versions };
  }

  async version(rawId: string, version: string): Promise<AppDefinition> {
    const id = this.pathId(rawId);
    const at = parseVersion(version);
    const app = at ? await this.store.getVersion(id, at) : undefined;
    if (!app) throw new DomainError(DomainErrorCode.APP_VERSION_NOT_FOUND, `App '${id}' does not exist in version ${version}`);
    return app;
  }

  /** The new definition for `id` from a request body: merged (partial) or replaced, id from the URL. */
  private updated(id: string, current: AppDefinition | undefined, body: unknown, partial: boolean): AppDefinition {
    if (!isObject(body)) return validApp(body);
    const withId = { ...body, id };
    const raw = current && partial ? mergeAppUpdate(current, withId) : withId;
    return validApp(raw);
  }

  /** `{"version": "..."}` alone (or with the same id) is a rollback request. */
  private rollbackVersion(body: unknown): string | undefined {
    if (!isObject(body) || typeof body.version !== 'string') return undefined;
    const keys = Object.keys(body).filter((k) => k !== 'id');
    return keys.length === 1 ? body.version : undefined;
  }

  private async rollback(id: string, version: string, force: boolean): Promise<ApiResult> {
    const at = parseVersion(version);
    const old = at ? await this.store.getVersion(id, at) : undefined;
    if (!old) throw new DomainError(DomainErrorCode.APP_VERSION_NOT_FOUND, `App '${id}' does not exist in version ${version}`);
    const result = await this.changes.apply({
      ids: [id],
      force,
      apply: () => new Map([[id, old]]),
    });
    return deploymentResult(result);
  }
}

/** A version is an ISO-8601 timestamp; anything else cannot name one. */
function parseVersion(v: string): Date | undefined {
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
