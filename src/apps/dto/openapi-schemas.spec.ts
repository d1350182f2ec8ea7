import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { APP_DEFAULTS, APP_KEYS, HEALTH_CHECK_DEFAULTS, READINESS_CHECK_DEFAULTS } from '../../core/apps/defaults';
import type { Instance } from '../../core/instances/instance';
import { queueItemJson } from '../../queue/dto/queue.mapper';
import type { QueueEntry } from '../../scheduler/scheduler-control';
import { taskFailureJson, taskJson } from '../../tasks/dto/task.mapper';
import { appInfoJson, parseEmbeds } from './app.mapper';
import { OPENAPI_SCHEMAS, ref } from './openapi-schemas';

type Schema = SchemaObject | ReferenceObject;
type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const ROOT = resolve(__dirname, '../../..');
const RESPONSES = join(ROOT, 'test/fixtures/marathon-responses');
/** Marathon's example app definitions, when another change has copied them into the repository. */
const EXAMPLE_APPS = join(ROOT, 'test/fixtures/marathon-examples');

const PREFIX = '#/components/schemas/';

function isRef(s: Schema): s is ReferenceObject {
  return '$ref' in s;
}

function isObject(v: Json): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readJson(file: string): Json {
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

function deref(s: Schema): SchemaObject {
  if (!isRef(s)) return s;
  const target = OPENAPI_SCHEMAS[s.$ref.slice(PREFIX.length)];
  if (!s.$ref.startsWith(PREFIX) || target === undefined) throw new Error(`unresolved ${s.$ref}`);
  return target;
}

/** Resolves `$ref` and flattens `allOf` (properties and required merged; first type/enum/items wins). */
function resolveSchema(s: Schema): SchemaObject {
  const own = deref(s);
  if (own.allOf === undefined) return own;
  const { allOf, ...rest } = own;
  const merged: SchemaObject = { ...rest };
  for (const part of allOf.map(resolveSchema)) {
    merged.type ??= part.type;
    merged.enum ??= part.enum;
    merged.items ??= part.items;
    merged.oneOf ??= part.oneOf;
    if (part.properties !== undefined) merged.properties = { ...merged.properties, ...part.properties };
    if (part.additionalProperties !== undefined) merged.additionalProperties ??= part.additionalProperties;
  }
  return merged;
}

function kindOk(type: string | undefined, v: Json): boolean {
  switch (type) {
    case undefined: return true;
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return isObject(v);
    default: return false;
  }
}

/**
 * Every key of `value` must be described by `schema` (a property, or an additionalProperties map),
 * recursively; value kinds and enums are checked too. Nulls are not checked: Marathon 1.5, which wrote
 * these examples, printed `null` for unset fields (Pacer omits them).
 */
function undescribed(value: Json, schema: Schema, path: string): string[] {
  const s = resolveSchema(schema);
  if (value === null) return [];
  if (s.oneOf !== undefined || s.anyOf !== undefined) {
    const alts = (s.oneOf ?? s.anyOf ?? []).filter((alt) => kindOk(resolveSchema(alt).type, value));
    if (alts.length === 0) return [`${path}: ${JSON.stringify(value)} matches no alternative`];
    const tries = alts.map((alt) => undescribed(value, alt, path));
    return tries.some((t) => t.length === 0) ? [] : tries.reduce((a, b) => (b.length < a.length ? b : a));
  }
  if (!kindOk(s.type, value)) return [`${path}: ${JSON.stringify(value)} is not of type ${s.type}`];
  if (s.enum !== undefined && !s.enum.includes(value)) return [`${path}: ${JSON.stringify(value)} is not one of ${s.enum.join(', ')}`];
  if (Array.isArray(value)) {
    const items = s.items;
    return items === undefined ? [] : value.flatMap((v, i) => undescribed(v, items, `${path}/${i}`));
  }
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const prop = s.properties?.[k];
    if (prop !== undefined) return undescribed(v, prop, `${path}/${k}`);
    const extra = s.additionalProperties;
    if (extra === true) return [];
    if (typeof extra === 'object') return undescribed(v, extra, `${path}/${k}`);
    return [`${path}/${k}: not described`];
  });
}

function collectRefs(node: unknown, out: string[]): string[] {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, out));
  else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      // example/default values are data, not schemas
      else if (k !== 'example' && k !== 'default' && k !== 'enum') collectRefs(v, out);
    }
  }
  return out;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return jsonFiles(p);
    return name.endsWith('.json') ? [p] : [];
  });
}

/** Top-level keys of the app definitions among Marathon's examples (skips groups, schemas, manifests, answers). */
function exampleAppKeys(dir: string): Set<string> {
  const keys = new Set<string>();
  for (const file of jsonFiles(dir)) {
    const data = readJson(file);
    for (const item of Array.isArray(data) ? data : [data]) {
      if (!isObject(item) || typeof item.id !== 'string') continue;
      if (['$schema', 'apps', 'groups', 'tasks', 'steps', 'queue'].some((k) => k in item)) continue;
      Object.keys(item).forEach((k) => keys.add(k));
    }
  }
  return keys;
}

const APP_DEFINITION_PROPS = Object.keys(resolveSchema(ref('AppDefinition')).properties ?? {});
const APP_LIST = readJson(join(RESPONSES, 'app_list.json'));
const APP_LIST_KEYS = new Set(
  isObject(APP_LIST) && Array.isArray(APP_LIST.apps) ? APP_LIST.apps.flatMap((a) => (isObject(a) ? Object.keys(a) : [])) : [],
);

/**
 * AppDefinition fields used by Marathon's example apps (mesosphere/marathon tests/system/apps and
 * docs examples) but not by app_list.json. Stands in for test/fixtures/marathon-examples when that
 * folder is absent; checked against it when present.
 */
const EXAMPLE_APP_KEYS_SNAPSHOT = [
  'fetch', 'gpus', 'ipAddress', 'networks', 'portDefinitions', 'readinessChecks', 'residency', 'secrets', 'taskKillGracePeriodSeconds',
];

/** AppDefinition fields that no Marathon example uses, and why they are still documented. */
const ALLOWLIST: Record<string, string> = {
  killSelection: 'Marathon 1.5+ app field (reference §2.1); always emitted by Marathon 1.10, absent from the older examples',
  unreachableStrategy: 'Marathon 1.4+ app field (reference §2.5); always emitted by Marathon 1.10',
  role: 'Marathon 1.9+ app field (reference §2.1, enforceRole)',
  storeUrls: 'legacy artifact store URLs, still part of the 1.10 app (src/core/apps/types.ts)',
};

describe('OPENAPI_SCHEMAS', () => {
  it('ref() points into components.schemas', () => {
    expect(ref('Task')).toEqual({ $ref: '#/components/schemas/Task' });
  });

  it('resolves every $ref to one of its own keys', () => {
    const refs = collectRefs(OPENAPI_SCHEMAS, []);
    expect(refs.length).toBeGreaterThan(20);
    const names = new Set(Object.keys(OPENAPI_SCHEMAS));
    const broken = refs.filter((r) => !r.startsWith(PREFIX) || !names.has(r.slice(PREFIX.length)));
    expect(broken).toEqual([]);
  });

  it('documents every property', () => {
    const missing: string[] = [];
    const visit = (s: Schema, path: string): void => {
      if (isRef(s)) return;
      for (const [k, p] of Object.entries(s.properties ?? {})) {
        const described = isRef(p) ? deref(p).description : p.description;
        if (described === undefined || described === '') missing.push(`${path}.${k}`);
        visit(p, `${path}.${k}`);
      }
      for (const part of [...(s.allOf ?? []), ...(s.oneOf ?? [])]) visit(part, path);
      if (s.items !== undefined) visit(s.items, `${path}[]`);
    };
    for (const [name, s] of Object.entries(OPENAPI_SCHEMAS)) visit(s, name);
    expect(missing).toEqual([]);
  });

  describe('AppDefinition', () => {
    it('requires id', () => {
      expect(OPENAPI_SCHEMAS.AppDefinition.required).toEqual(['id']);
    });

    it('describes every key Pacer emits on an app', () => {
      expect(APP_KEYS.filter((k) => !APP_DEFINITION_PROPS.includes(k))).toEqual([]);
    });

    it('accepts the deprecated request fields ports and uris', () => {
      const props = OPENAPI_SCHEMAS.AppDefinition.properties ?? {};
      for (const k of ['ports', 'uris']) expect(deref(props[k])).toMatchObject({ type: 'array', deprecated: true });
    });

    it('has only properties that Marathon examples use or that are allowlisted', () => {
      let fromExamples = new Set(EXAMPLE_APP_KEYS_SNAPSHOT);
      if (existsSync(EXAMPLE_APPS)) {
        fromExamples = exampleAppKeys(EXAMPLE_APPS);
        expect(EXAMPLE_APP_KEYS_SNAPSHOT.filter((k) => !fromExamples.has(k))).toEqual([]);
      }
      const used = new Set([...APP_LIST_KEYS, ...fromExamples]);
      expect(APP_DEFINITION_PROPS.filter((k) => !used.has(k) && !(k in ALLOWLIST))).toEqual([]);
      // keep the allowlist honest: no stale or redundant entries
      expect(Object.keys(ALLOWLIST).filter((k) => !APP_DEFINITION_PROPS.includes(k) || used.has(k))).toEqual([]);
    });

    it('gives the same defaults as src/core/apps/defaults.ts', () => {
      const defaultOf = (s: Schema | undefined): unknown => (s === undefined ? undefined : resolveSchema(s).default);
      const app = resolveSchema(ref('AppDefinition')).properties ?? {};
      const scalarKeys = Object.entries(APP_DEFAULTS).filter(([, v]) => typeof v !== 'object').map(([k]) => k);
      for (const k of scalarKeys) expect([k, defaultOf(app[k])]).toEqual([k, APP_DEFAULTS[k as keyof typeof APP_DEFAULTS]]);
      for (const k of ['upgradeStrategy', 'unreachableStrategy', 'portDefinitions', 'networks'] as const) {
        expect([k, defaultOf(app[k])]).toEqual([k, APP_DEFAULTS[k]]);
      }
      const hc = resolveSchema(ref('HealthCheck')).properties ?? {};
      for (const [k, v] of Object.entries(HEALTH_CHECK_DEFAULTS)) expect([k, defaultOf(hc[k])]).toEqual([k, v]);
      const rc = resolveSchema(ref('ReadinessCheck')).properties ?? {};
      for (const [k, v] of Object.entries(READINESS_CHECK_DEFAULTS)) expect([k, defaultOf(rc[k])]).toEqual([k, v]);
      expect(resolveSchema(ref('Residency')).properties?.relaunchEscalationTimeoutSeconds).toMatchObject({
        default: APP_DEFAULTS.residency.relaunchEscalationTimeoutSeconds,
      });
    });
  });

  describe("describes every key of Marathon's example answers", () => {
    it('GET /v2/apps (app_list.json)', () => {
      expect(undescribed(APP_LIST, ref('AppList'), '')).toEqual([]);
    });

    it('GET /v2/deployments (deployments.json)', () => {
      const data = readJson(join(RESPONSES, 'deployments.json'));
      expect(undescribed(data, { type: 'array', items: ref('DeploymentInfo') }, '')).toEqual([]);
    });

    it('GET /v2/info (info.json)', () => {
      expect(undescribed(readJson(join(RESPONSES, 'info.json')), ref('Info'), '')).toEqual([]);
    });

    it("Pacer's own task, queue item and AppInfo answers", () => {
      const task: Instance = {
        instanceId: 'web.instance-1', appId: '/web', appVersion: '2026-01-01T00:00:00.000Z', goal: 'running', state: 'TASK_RUNNING',
        incarnation: 1, taskId: 'web.instance-1._app.1', agentId: 'a1', host: '10.0.0.1', hostPorts: [31000], createdAt: '2026-01-01T00:00:00.000Z',
        stateSince: '2026-01-01T00:00:00.000Z', stagedAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:01.000Z',
      };
      const tasks = JSON.parse(JSON.stringify({ tasks: [taskJson(task, [10000])] })) as Json;
      expect(undescribed(tasks, ref('TaskList'), '')).toEqual([]);
      const entry: QueueEntry = {
        appId: '/web', appVersion: task.appVersion, count: 1, since: task.createdAt, timeLeftSeconds: 0, overdue: true, processedOffersCount: 1,
        unusedOffersCount: 1, lastUnusedOfferAt: task.createdAt, lastUsedOfferAt: task.createdAt,
        rejectSummaryLastOffers: [{ reason: 'InsufficientCpus', declined: 1, processed: 1 }],
        lastUnusedOffers: [{ offer: { id: 'o', agentId: 'a', hostname: 'h', resources: [{ name: 'ports', role: '*', ranges: [{ begin: 1, end: 2 }] }], attributes: [{ name: 'rack', text: 'r' }] }, timestamp: task.createdAt, reason: ['InsufficientCpus'] }],
      };
      const queue = JSON.parse(`{"queue":[${queueItemJson(entry, '{"id":"/web","cmd":"sleep 1"}', true)}]}`) as Json;
      expect(undescribed(queue, ref('Queue'), '')).toEqual([]);
      const failure = taskFailureJson({ appId: '/web', taskId: 'web.instance-1._app.1', state: 'TASK_FAILED', message: 'm', host: 'h', version: task.appVersion, timestamp: task.createdAt, slaveId: 'a1' });
      const info = JSON.parse(
        appInfoJson('{"id":"/web","cmd":"sleep 1"}', { deployments: ['d'], tasksJson: JSON.stringify([taskJson(task, [10000])]), lastTaskFailureJson: JSON.stringify(failure) }, parseEmbeds(['app.readiness'], true)),
      ) as Json;
      expect(undescribed(info, ref('AppInfo'), '')).toEqual([]);
    });

    it('the walker reports undescribed keys and wrong enums', () => {
      const bad: Json = { apps: [{ id: '/a', tty: true, killSelection: 'RANDOM', env: { A: { secret: 's', x: 1 } } }] };
      expect(undescribed(bad, ref('AppList'), '')).toEqual([
        '/apps/0/tty: not described',
        '/apps/0/killSelection: "RANDOM" is not one of YOUNGEST_FIRST, OLDEST_FIRST',
        '/apps/0/env/A/x: not described',
      ]);
    });
  });
});
