/**
 * Marathon's GroupInfo JSON (`GET /v2/groups[/{id}]`): `{"id","apps","groups","pods","dependencies",
 * "version"}`, with `apps`, `groups` and `pods` present only when embedded (Marathon writes an unset
 * Option as an absent key). `enforceRole` is left out: Marathon ≥ 1.9 writes it on top-level groups,
 * and the python `marathon` client (0.13) rejects any key it does not know on a group.
 *
 * Apps are rendered by the caller (AppInfo text with the embedded status fields), so lists of
 * thousands of apps are spliced from stored JSON text rather than parsed and serialized again.
 */
import type { GroupNode, MemberApp } from './tree';

/** What a group answer embeds: `group.groups`, `group.apps`, `group.pods` and `group.apps.<x>`. */
export interface GroupEmbeds {
  readonly groups: boolean;
  readonly apps: boolean;
  readonly pods: boolean;
  /** app-level embeds without their `group.apps.` prefix (`counts`, `tasks`, `deployments`, …) */
  readonly app: ReadonlySet<string>;
}

const GROUP_LEVEL = new Set(['groups', 'apps', 'pods']);

/**
 * Reads `embed` values as Marathon does: `group.groups`, `group.apps`, `group.pods` choose what a
 * group holds (all three when none of them is given: Marathon's backward-compatible default), and
 * `group.apps.<x>` adds AppInfo fields to every app (`counts`, `tasks`, `deployments`, `readiness`,
 * `lastTaskFailure`, `taskStats`, `failures`). Unknown values are ignored.
 */
export function parseGroupEmbeds(values: readonly string[]): GroupEmbeds {
  const names = values.map((v) => v.replace(/^group\./, ''));
  const level = names.filter((n) => GROUP_LEVEL.has(n));
  const app = new Set(names.filter((n) => n.startsWith('apps.')).map((n) => n.slice('apps.'.length)));
  const all = level.length === 0;
  return { groups: all || level.includes('groups'), apps: all || level.includes('apps'), pods: all || level.includes('pods'), app };
}

/** GroupInfo text of a subtree; `renderApp` gives each app's JSON text. */
export function groupInfoJson<A extends MemberApp>(node: GroupNode<A>, embeds: GroupEmbeds, renderApp: (app: A) => string): string {
  let out = `{"id":${JSON.stringify(node.id)}`;
  if (embeds.apps) out += `,"apps":[${node.apps.map(renderApp).join(',')}]`;
  if (embeds.groups) out += `,"groups":[${node.groups.map((g) => groupInfoJson(g, embeds, renderApp)).join(',')}]`;
  if (embeds.pods) out += ',"pods":[]';
  out += `,"dependencies":${JSON.stringify(node.dependencies)},"version":${JSON.stringify(node.version)}}`;
  return out;
}
