/**
 * Marathon's GroupUpdate body (`POST /v2/groups`, `PUT /v2/groups/{id}`) read into one of three
 * changes, and the target subtree of an update.
 *
 *   {"version": "<ts>"}       → rollback of the whole group to a stored version
 *   {"scaleBy": 2}            → every app below scaled (scale.ts)
 *   {"id", "apps", "groups", "dependencies"} → update: absent fields keep what is stored, present
 *      ones replace it (Marathon's `GroupConversion.UpdateGroupStructureOp`):
 *      - `apps` replaces the group's direct apps (apps left out are stopped);
 *      - `groups` replaces the subgroups: a listed one is updated by the same rules, one left out is
 *        removed with everything below it; without `groups` every subgroup stays as it is;
 *      - `dependencies` replaces the group's dependencies.
 *
 * Ids are resolved like Marathon's: the body's `id` against the URL's group, each app and subgroup
 * against its group; an app or subgroup must be a direct child of its group. `version` and `scaleBy`
 * allow nothing else but `id`. Problems are all reported at once as Marathon's 422 details, with
 * body paths such as `/groups(0)/apps(1)/cmd`.
 */
import { canonicalizeId, idErrors, normalizeApp, type AppDefinition } from '../apps';
import { Issues, MSG, isObject, present, type Raw } from '../apps/json-reader';
import { assignServicePortSlots, withServicePorts } from '../deployments/service-ports';
import { DomainError } from '../errors';
import type { DeclaredDependency } from './dependencies';
import { ancestorsOf, childToward, isBelow, parentOf } from './tree';

/** One group of an update body, ids canonical. Absent fields keep what is stored. */
export interface GroupSpec {
  readonly id: string;
  readonly apps?: readonly AppDefinition[];
  readonly groups?: readonly GroupSpec[];
  readonly dependencies?: readonly string[];
}

export type GroupUpdate =
  | { readonly kind: 'rollback'; readonly id: string; readonly version: string }
  | { readonly kind: 'scale'; readonly id: string; readonly scaleBy: number }
  | { readonly kind: 'update'; readonly spec: GroupSpec; readonly declared: readonly DeclaredDependency[] };

/** Deepest nesting of groups in one body (ids are paths: deeper trees are certainly a mistake). */
export const MAX_GROUP_DEPTH = 32;

export const GROUP_MESSAGES = Object.freeze({
  notChild: (parent: string) => `Identifier is not child of '${parent}'`,
  conjunction: 'not allowed in conjunction with other properties.',
  sameId: 'Groups and Applications may not have the same identifier.',
  duplicate: (what: string, id: string) => `${what} '${id}' appears more than once in the request`,
  scaleBy: 'must be greater than or equal to 0',
  version: 'must be an ISO-8601 timestamp such as 2015-09-25T15:13:48.343Z',
  pods: 'pods are not supported',
  tooDeep: `groups may not nest deeper than ${MAX_GROUP_DEPTH} levels`,
  root: 'must not be root',
});

const MODE_KEYS = ['apps', 'groups', 'dependencies'] as const;

/**
 * Reads a GroupUpdate body sent to group `base` (the URL's id, `/` for `POST /v2/groups`). Throws
 * Marathon's 422 with every problem found.
 */
export function parseGroupUpdate(raw: unknown, base: string): GroupUpdate {
  const issues = new Issues();
  if (!isObject(raw)) throw DomainError.validation([{ path: '/', errors: [MSG.object] }]);
  const id = groupId(raw, base, '', issues);

  const hasVersion = present(raw.version);
  const hasScale = present(raw.scaleBy);
  if (hasVersion || hasScale) {
    const others = MODE_KEYS.filter((k) => present(raw[k]));
    if (hasVersion && (hasScale || others.length > 0)) issues.add('/version', GROUP_MESSAGES.conjunction);
    if (hasScale && (hasVersion || others.length > 0)) issues.add('/scaleBy', GROUP_MESSAGES.conjunction);
  }
  if (hasVersion) {
    if (typeof raw.version !== 'string') issues.add('/version', MSG.string);
    else if (Number.isNaN(Date.parse(raw.version))) issues.add('/version', GROUP_MESSAGES.version);
  }
  if (hasScale) {
    if (typeof raw.scaleBy !== 'number' || !Number.isFinite(raw.scaleBy)) issues.add('/scaleBy', MSG.number);
    else if (raw.scaleBy < 0) issues.add('/scaleBy', GROUP_MESSAGES.scaleBy);
  }
  if (present(raw.enforceRole) && typeof raw.enforceRole !== 'boolean') issues.add('/enforceRole', MSG.boolean);

  if (hasVersion && issues.count === 0) return { kind: 'rollback', id, version: new Date(Date.parse(raw.version as string)).toISOString() };
  if (hasScale && issues.count === 0) return { kind: 'scale', id, scaleBy: raw.scaleBy as number };

  const declared: DeclaredDependency[] = [];
  const spec = readGroup(raw, id, '', issues, declared, 0);
  if (issues.count > 0) throw DomainError.validation(issues.details());
  return { kind: 'update', spec, declared };
}

/** The body's group id: its `id` resolved against `base`, or `base` itself. */
function groupId(raw: Raw, base: string, path: string, issues: Issues): string {
  if (!present(raw.id)) return base;
  if (typeof raw.id !== 'string') {
    issues.add(`${path}/id`, MSG.string);
    return base;
  }
  const id = canonicalizeId(raw.id, base);
  if (id !== '/') for (const e of idErrors(id)) issues.add(`${path}/id`, e);
  return id;
}

function readGroup(raw: Raw, id: string, path: string, issues: Issues, declared: DeclaredDependency[], depth: number): GroupSpec {
  if (present(raw.pods) && !(Array.isArray(raw.pods) && raw.pods.length === 0)) issues.add(`${path}/pods`, GROUP_MESSAGES.pods);

  let dependencies: string[] | undefined;
  if (present(raw.dependencies)) {
    if (!Array.isArray(raw.dependencies)) issues.add(`${path}/dependencies`, MSG.array);
    else {
      dependencies = [];
      raw.dependencies.forEach((d, i) => {
        const p = `${path}/dependencies(${i})`;
        if (typeof d !== 'string') return issues.add(p, MSG.string);
        const dep = canonicalizeId(d, id);
        for (const e of idErrors(dep)) issues.add(p, e);
        if (!dependencies?.includes(dep)) dependencies?.push(dep);
        declared.push({ path: p, id: dep });
      });
    }
  }

  let apps: AppDefinition[] | undefined;
  if (present(raw.apps)) {
    if (!Array.isArray(raw.apps)) issues.add(`${path}/apps`, MSG.array);
    else {
      apps = [];
      const seen = new Set<string>();
      raw.apps.forEach((a, i) => {
        const p = `${path}/apps(${i})`;
        const result = normalizeApp(a, { base: id });
        if (!result.ok) {
          for (const d of result.details) for (const e of d.errors) issues.add(d.path === '/' ? p : `${p}${d.path}`, e);
          return;
        }
        const app = result.app;
        if (parentOf(app.id) !== id) issues.add(`${p}/id`, GROUP_MESSAGES.notChild(id));
        if (seen.has(app.id)) issues.add(`${p}/id`, GROUP_MESSAGES.duplicate('App', app.id));
        seen.add(app.id);
        app.dependencies.forEach((dep, j) => declared.push({ path: `${p}/dependencies(${j})`, id: dep }));
        apps?.push(app);
      });
    }
  }

  let groups: GroupSpec[] | undefined;
  if (present(raw.groups)) {
    if (!Array.isArray(raw.groups)) issues.add(`${path}/groups`, MSG.array);
    else if (depth >= MAX_GROUP_DEPTH) issues.add(`${path}/groups`, GROUP_MESSAGES.tooDeep);
    else {
      groups = [];
      const seen = new Set<string>();
      raw.groups.forEach((g, i) => {
        const p = `${path}/groups(${i})`;
        if (!isObject(g)) return issues.add(p, MSG.object);
        if (!present(g.id)) return issues.add(`${p}/id`, MSG.missing);
        const sub = groupId(g, id, p, issues);
        if (parentOf(sub) !== id || sub === id) issues.add(`${p}/id`, GROUP_MESSAGES.notChild(id));
        if (seen.has(sub)) issues.add(`${p}/id`, GROUP_MESSAGES.duplicate('Group', sub));
        seen.add(sub);
        groups?.push(readGroup(g, sub, p, issues, declared, depth + 1));
      });
    }
  }

  if (apps && groups) {
    const groupIds = new Set(groups.map((g) => g.id));
    if (apps.some((a) => groupIds.has(a.id))) issues.add(path || '/', GROUP_MESSAGES.sameId);
  }
  return { id, ...(apps ? { apps } : {}), ...(groups ? { groups } : {}), ...(dependencies ? { dependencies } : {}) };
}

/** What an update leaves below its group. */
export interface GroupTarget {
  /** every stored group at or below the updated group afterwards, with its dependencies */
  readonly groups: ReadonlyMap<string, readonly string[]>;
  /** the apps the body sets (created or replaced) */
  readonly apps: ReadonlyMap<string, AppDefinition>;
  /** whether an app stored below the group and not in `apps` stays as it is (else it is removed) */
  keeps(appId: string): boolean;
}

/**
 * The target of an update from the body and the groups stored at or below its group (`stored`:
 * id → dependencies). Every group the body names is stored afterwards (so it outlives its apps);
 * subgroups the body leaves out are dropped.
 */
export function targetOf(spec: GroupSpec, stored: ReadonlyMap<string, readonly string[]>): GroupTarget {
  const groups = new Map<string, readonly string[]>();
  const apps = new Map<string, AppDefinition>();
  const specs = new Map<string, GroupSpec>();
  const walk = (s: GroupSpec): void => {
    specs.set(s.id, s);
    groups.set(s.id, s.dependencies ?? stored.get(s.id) ?? []);
    for (const a of s.apps ?? []) apps.set(a.id, a);
    if (s.groups === undefined) {
      for (const [gid, deps] of stored) if (isBelow(gid, s.id)) groups.set(gid, deps);
    } else {
      for (const sub of s.groups) walk(sub);
    }
  };
  walk(spec);
  const keeps = (appId: string): boolean => {
    if (!isBelow(appId, spec.id)) return true;
    let s = spec;
    for (;;) {
      if (parentOf(appId) === s.id) return s.apps === undefined;
      if (s.groups === undefined) return true;
      const next = specs.get(childToward(s.id, appId));
      if (next === undefined || !s.groups.includes(next)) return false;
      s = next;
    }
  };
  return { groups, apps, keeps };
}

/**
 * App ids that are also group ids once the change is made: a stored group of the same id, or the
 * app's id is a parent of another app's (`/a` and `/a/b` cannot both be apps).
 */
export function appGroupClashes(appIds: Iterable<string>, groupIds: Iterable<string>): string[] {
  const groups = new Set(groupIds);
  const apps = [...appIds];
  for (const id of apps) for (const a of ancestorsOf(id)) groups.add(a);
  return apps.filter((id) => groups.has(id)).sort();
}

/**
 * A body app that replaces a stored one keeps the service ports it was given where the body leaves
 * the slot at 0 ("any port"), so putting the same group again changes nothing and restarts nothing.
 * Example: stored portDefinitions [10101], body [0] → [10101]; body [8080] → [8080].
 */
export function keepAssignedPorts(next: AppDefinition, before: AppDefinition | undefined): AppDefinition {
  if (before === undefined) return next;
  const slots = assignServicePortSlots(next);
  if (!slots.some((s) => s.port === 0)) return next;
  const fixed = new Set(slots.filter((s) => s.port !== 0).map((s) => s.port));
  const held = new Map(assignServicePortSlots(before).map((s) => [s.path, s.port]));
  const fill = slots.filter((s) => s.port === 0).map((s) => {
    const port = held.get(s.path) ?? 0;
    return fixed.has(port) ? 0 : port;
  });
  return withServicePorts(next, fill);
}
