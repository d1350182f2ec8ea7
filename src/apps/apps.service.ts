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
import { appInfoJson, parseEmbeds } from './dto/app.mapper';
import { AppReadCache } from '../persistence/app-read-cache';

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
  ) {}

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
    const [apps, deployments] = await Promise.all([
      this.store.listAppsText({ id: parseOptionalString(query.id, 'id'), cmd: parseOptionalString(query.cmd, 'cmd') }, !!selector),
      this.store.deploymentsByApp(),
    ]);
    const selected = selector ? apps.filter((a) => matchesLabelSelector(selector, a.labels ?? {})) : apps;
    return rawJson(`{"apps":[${selected.map((a) => appInfoJson(a.json, { deployments: deployments.get(a.id) ?? [] }, embeds)).join(',')}]}`);
  }

  async get(rawId: string, query: Query): Promise<ApiResult<string>> {
    const decoded = rawId; // Fastify already decoded the (rewritten) parameter
    // `GET /v2/apps/{group}/*`: every app below the group, as `{"*": [...]}`.
    if (decoded === '*' || decoded.endsWith('/*')) {
      const group = canonicalizeId(decoded.slice(0, -1) || '/', '/');
      const embeds = parseEmbeds(parseList(query.embed), false);
      const apps = await this.store.listAppsText({ under: group });
      const deployments = await this.store.deploymentsByApp(apps.map((a) => a.id));
      return rawJson(`{"*":[${apps.map((a) => appInfoJson(a.json, { deployments: deployments.get(a.id) ?? [] }, embeds)).join(',')}]}`);
    }
    // The default answer (no embed parameters) is what clients poll: served from the read cache.
    // Keys are canonical ids, so a hit on '/' + the raw parameter needs no parsing or validation.
    const cacheable = query.embed === undefined;
    if (cacheable) {
      const hit = this.cache.get(`/${rawId}`);
      if (hit !== undefined) return rawJson(hit);
    }
    const id = this.pathId(rawId);
    const token = this.cache.token();
    const found = await this.store.getAppText(id);
    if (!found) throw notFound(id);
    const body = `{"app":${appInfoJson(found.json, { deployments: found.deployments }, parseEmbeds(parseList(query.embed), true))}}`;
    if (cacheable) this.cache.fill(id, body, token);
    return rawJson(body);
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
