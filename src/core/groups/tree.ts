/**
 * The group tree, derived rather than stored: a group is every proper prefix of an app id, plus the
 * groups stored explicitly (created through /v2/groups; they may be empty and carry dependencies).
 * Nothing holds the whole tree: a read builds the subtree it was asked for from the apps and group
 * rows below that id.
 *
 *   apps /prod/web/api, /prod/db; stored group /prod/cache (empty, depends on /prod/db)
 *   ⇒ /  ─ /prod ─┬─ /prod/cache (empty)
 *                 ├─ /prod/web ─ app /prod/web/api
 *                 └─ app /prod/db
 *
 * A group's version is the latest change within it: its own row's version or any app's or stored
 * group's version below it (Marathon stamps the parents of a changed group with the new root version).
 */
import { idSegments } from '../apps/path-id';

/** A stored (explicit) group row. */
export interface GroupRow {
  readonly id: string;
  readonly dependencies: readonly string[];
  /** ISO-8601 with ms, `Z` */
  readonly version: string;
}

/** What the tree needs of an app: its id and version (anything else is carried along). */
export interface MemberApp {
  readonly id: string;
  readonly version: string;
}

export interface GroupNode<A extends MemberApp> {
  readonly id: string;
  /** direct apps, by id */
  readonly apps: readonly A[];
  /** direct subgroups, by id */
  readonly groups: readonly GroupNode<A>[];
  readonly dependencies: readonly string[];
  readonly version: string;
}

/** Marathon's empty root group version (`RootGroup.empty`: Timestamp(0)). */
export const EMPTY_GROUP_VERSION = '1970-01-01T00:00:00.000Z';

/** Parent group of an id: `/a/b/c` → `/a/b`, `/a` → `/`. */
export function parentOf(id: string): string {
  const segs = idSegments(id);
  return `/${segs.slice(0, -1).join('/')}`;
}

/** True when `id` lies strictly below group `group` (`/a/b` below `/a` and below `/`). */
export function isBelow(id: string, group: string): boolean {
  if (group === '/') return id !== '/' && id.startsWith('/');
  return id.startsWith(`${group}/`);
}

/** `id` itself or below `group`. */
export function isAtOrBelow(id: string, group: string): boolean {
  return id === group || isBelow(id, group);
}

/** Every group above `id`, root first: `/a/b/c` → ['/', '/a', '/a/b']. */
export function ancestorsOf(id: string): string[] {
  const segs = idSegments(id);
  const out = ['/'];
  for (let i = 1; i < segs.length; i++) out.push(`/${segs.slice(0, i).join('/')}`);
  return id === '/' ? [] : out;
}

/** The child of `group` on the way down to `id` (`id` below `group`): (`/a`, `/a/b/c`) → `/a/b`. */
export function childToward(group: string, id: string): string {
  const depth = idSegments(group).length;
  return `/${idSegments(id).slice(0, depth + 1).join('/')}`;
}

interface Builder<A extends MemberApp> {
  readonly id: string;
  readonly apps: A[];
  readonly children: Map<string, Builder<A>>;
  dependencies: readonly string[];
  version: string;
  explicit: boolean;
}

/**
 * The subtree rooted at `rootId` from the apps and stored groups given (those outside it are
 * ignored), or undefined when no such group exists: not the root, no stored row at or below it, no
 * app below it. Apps and groups are sorted by id.
 */
export function buildGroupTree<A extends MemberApp>(rootId: string, apps: readonly A[], groups: readonly GroupRow[]): GroupNode<A> | undefined {
  const nodes = new Map<string, Builder<A>>();
  const node = (id: string): Builder<A> => {
    const known = nodes.get(id);
    if (known) return known;
    const b: Builder<A> = { id, apps: [], children: new Map(), dependencies: [], version: EMPTY_GROUP_VERSION, explicit: false };
    nodes.set(id, b);
    if (id !== rootId) node(parentOf(id)).children.set(id, b);
    return b;
  };
  let exists = rootId === '/';
  for (const g of groups) {
    if (!isAtOrBelow(g.id, rootId)) continue;
    const b = node(g.id);
    b.dependencies = g.dependencies;
    b.version = g.version;
    b.explicit = true;
    exists = true;
  }
  for (const a of apps) {
    if (!isBelow(a.id, rootId)) continue;
    node(parentOf(a.id)).apps.push(a);
    exists = true;
  }
  if (!exists) return undefined;
  const root = node(rootId);
  const build = (b: Builder<A>): GroupNode<A> => {
    const sortedApps = [...b.apps].sort((x, y) => compareIds(x.id, y.id));
    const groupsOut = [...b.children.keys()].sort(compareIds).map((k) => build(b.children.get(k) as Builder<A>));
    let version = b.version;
    for (const a of sortedApps) if (a.version > version) version = a.version;
    for (const g of groupsOut) if (g.version > version) version = g.version;
    return { id: b.id, apps: sortedApps, groups: groupsOut, dependencies: b.dependencies, version };
  };
  return build(root);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every app in a subtree, depth first. */
export function transitiveApps<A extends MemberApp>(node: GroupNode<A>): A[] {
  const out: A[] = [];
  const walk = (n: GroupNode<A>): void => {
    out.push(...n.apps);
    for (const g of n.groups) walk(g);
  };
  walk(node);
  return out;
}

/** The ids of every group in a subtree (its root included). */
export function groupIdsOf<A extends MemberApp>(node: GroupNode<A>): string[] {
  const out: string[] = [];
  const walk = (n: GroupNode<A>): void => {
    out.push(n.id);
    for (const g of n.groups) walk(g);
  };
  walk(node);
  return out;
}
