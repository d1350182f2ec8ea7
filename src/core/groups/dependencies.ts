/**
 * Dependencies between apps and groups, as Marathon reads them (`RootGroup.applicationDependencies`):
 *
 * - an app's `dependencies` name apps or groups; naming a group means every app below it;
 * - a group's `dependencies` apply to every app below that group: with group /prod/web depending on
 *   /prod/db, each app under /prod/web waits for every app under (or at) /prod/db.
 *
 * So an app's effective dependencies are its own plus those of each group above it. The planner
 * (core/deployments) orders steps by the longest chain of effective dependencies: apps with none
 * first, independent apps sharing a step.
 *
 *   /shop/db (no deps), /shop/cache (no deps), group /shop/web depends on /shop/db and holds
 *   /shop/web/api, which depends on /shop/cache
 *   ⇒ api's effective dependencies: [/shop/cache, /shop/db]; depths: db 1, cache 1, api 2
 *   ⇒ steps (all new): [Start ×3] · [Scale db, Scale cache] · [Scale api]
 */
import type { ValidationDetail } from '../errors';
import { DomainError } from '../errors';
import type { DeploymentStep, PlannableApp } from '../deployments/deployment';
import { planDeployment, resolveDependency, type PlanInput } from '../deployments/plan-deployment';
import { ancestorsOf } from './tree';

/** Group id → its dependencies (only groups that have some need to be listed). */
export type GroupDependencies = ReadonlyMap<string, readonly string[]>;

/** An app's own dependencies plus those of every group above it (no duplicates, own first). */
export function effectiveDependencies(app: PlannableApp, groups: GroupDependencies | undefined): readonly string[] {
  if (groups === undefined || groups.size === 0) return app.dependencies;
  let out: string[] | undefined;
  for (const g of ancestorsOf(app.id)) {
    const deps = groups.get(g);
    if (deps === undefined || deps.length === 0) continue;
    out ??= [...app.dependencies];
    for (const d of deps) if (!out.includes(d)) out.push(d);
  }
  return out ?? app.dependencies;
}

/** The apps with their effective dependencies (the others as they are, same objects). */
export function withGroupDependencies<A extends PlannableApp>(apps: ReadonlyMap<string, A>, groups: GroupDependencies | undefined): Map<string, A> {
  const out = new Map<string, A>();
  for (const [id, app] of apps) {
    const deps = effectiveDependencies(app, groups);
    out.set(id, deps === app.dependencies ? app : { ...app, dependencies: deps });
  }
  return out;
}

/**
 * planDeployment with group dependencies: the target apps get their effective dependencies for the
 * dependency depths, while restart decisions still compare the definitions as they are (a group's
 * dependencies are not part of its apps). Without group dependencies it is planDeployment itself.
 */
export function planWithGroups<A extends PlannableApp>(input: PlanInput<A> & { readonly groupDependencies?: GroupDependencies }): DeploymentStep[] {
  const { groupDependencies, ...plan } = input;
  if (groupDependencies === undefined || groupDependencies.size === 0) return planDeployment(plan);
  const target = withGroupDependencies(plan.target, groupDependencies);
  return planDeployment({
    ...plan,
    target,
    needsRestart: (before, after) => plan.needsRestart(before, plan.target.get(after.id) ?? after),
  });
}

/**
 * A dependency cycle among `apps` (effective dependencies already applied), spelled out as
 * `[a, b, a]`, or undefined. Dependencies that name nothing in `apps` are leaves.
 */
export function findCycle<A extends PlannableApp>(apps: ReadonlyMap<string, A>): string[] | undefined {
  const ids = [...apps.keys()];
  const known = new Set(ids);
  const state = new Map<string, 1 | 2>(); // 1 = on the path, 2 = done
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const s = state.get(id);
    if (s === 2) return undefined;
    if (s === 1) return [...path.slice(path.indexOf(id)), id];
    state.set(id, 1);
    path.push(id);
    for (const dep of apps.get(id)?.dependencies ?? []) {
      for (const target of resolveDependency(dep, ids, known)) {
        if (target === id) continue;
        const cycle = visit(target);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(id, 2);
    return undefined;
  };
  for (const id of [...ids].sort()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Marathon's 422 for a cycle, with the cycle spelled out (as the planner reports it). */
export function cycleError(cycle: readonly string[]): DomainError {
  return DomainError.validation([{ path: '/', errors: [`Dependency graph has cyclic dependencies: ${cycle.join(' -> ')}`] }]);
}

/** One declared dependency and where the request declared it (`/groups(0)/apps(1)/dependencies(0)`). */
export interface DeclaredDependency {
  readonly path: string;
  readonly id: string;
}

/**
 * The 422 details for declared dependencies that name nothing: `exists(id)` says whether an app or a
 * group of that id exists (after the change). Marathon itself accepts them and waits forever.
 */
export function unknownDependencyDetails(declared: readonly DeclaredDependency[], exists: (id: string) => boolean): ValidationDetail[] {
  const byPath = new Map<string, string[]>();
  for (const d of declared) {
    if (exists(d.id)) continue;
    const list = byPath.get(d.path) ?? [];
    list.push(`Dependency '${d.id}' does not name an existing app or group`);
    byPath.set(d.path, list);
  }
  return [...byPath].map(([path, errors]) => ({ path, errors }));
}

/**
 * Every id that names something in a subtree: the apps, the stored groups, and every group above
 * either (a dependency may name any of them). O(ids × depth), so lookups are O(1).
 */
export function namedIds(appIds: Iterable<string>, groupIds: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const id of [...appIds, ...groupIds]) {
    if (out.has(id)) continue;
    out.add(id);
    for (const a of ancestorsOf(id)) out.add(a);
  }
  return out;
}
