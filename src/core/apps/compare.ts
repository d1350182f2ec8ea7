import type { AppDefinition } from './types';

/**
 * Deep structural equality of JSON values, independent of object key order. Array order matters
 * (Marathon compares Seqs), except where Marathon uses Sets: those are normalized by normalizeApp.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && jsonEqual(ao[k], bo[k]));
}

/** Fields that never make a change an upgrade: the instance count and the server's version stamps. */
const NOT_UPGRADE_KEYS: ReadonlySet<string> = new Set(['instances', 'version', 'versionInfo']);

/**
 * Reference §2.6: a change is an upgrade (rolling restart) when anything but `instances` differs.
 * Example: {instances: 1 → 3} is a scale; {labels: {} → {a: "b"}} restarts every task.
 * Compared key by key, skipping the scale fields, without copying either definition (planning
 * 10,000 changed apps compares 10,000 pairs).
 */
export function isUpgrade(a: AppDefinition, b: AppDefinition): boolean {
  const ao = a as unknown as Record<string, unknown>;
  const bo = b as unknown as Record<string, unknown>;
  let na = 0;
  for (const k in ao) {
    if (NOT_UPGRADE_KEYS.has(k) || ao[k] === undefined) continue;
    na++;
    if (!Object.prototype.hasOwnProperty.call(bo, k) || !jsonEqual(ao[k], bo[k])) return true;
  }
  let nb = 0;
  for (const k in bo) if (!NOT_UPGRADE_KEYS.has(k) && bo[k] !== undefined) nb++;
  return na !== nb;
}

/** isUpgrade, or a forced restart (`/restart` bumps versionInfo.lastConfigChangeAt). */
export function needsRestart(a: AppDefinition, b: AppDefinition): boolean {
  return isUpgrade(a, b) || a.versionInfo?.lastConfigChangeAt !== b.versionInfo?.lastConfigChangeAt;
}
