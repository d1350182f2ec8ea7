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

function withoutScaleFields(app: AppDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(app)) if (!NOT_UPGRADE_KEYS.has(k)) out[k] = v;
  return out;
}

/**
 * Reference §2.6: a change is an upgrade (rolling restart) when anything but `instances` differs.
 * Example: {instances: 1 → 3} is a scale; {labels: {} → {a: "b"}} restarts every task.
 */
export function isUpgrade(a: AppDefinition, b: AppDefinition): boolean {
  return !jsonEqual(withoutScaleFields(a), withoutScaleFields(b));
}

/** isUpgrade, or a forced restart (`/restart` bumps versionInfo.lastConfigChangeAt). */
export function needsRestart(a: AppDefinition, b: AppDefinition): boolean {
  return isUpgrade(a, b) || a.versionInfo?.lastConfigChangeAt !== b.versionInfo?.lastConfigChangeAt;
}
