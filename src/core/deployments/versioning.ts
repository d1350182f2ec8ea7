import type { AppDefinition } from '../apps/types';

/**
 * Version stamping (reference §2.7 and §3.1 step 4). `now` is the change's ISO timestamp.
 *
 * - version: `now` for every changed app; never earlier than or equal to the app's previous version
 *   (two changes within one millisecond get consecutive milliseconds, so versions stay unique).
 * - versionInfo.lastScalingAt: `now` on any change (scale-only included);
 * - versionInfo.lastConfigChangeAt: `now` when the change needs a restart (config change or
 *   /restart), otherwise kept.
 *
 * - `keptConfigVersion` (a rollback to a stored definition): lastConfigChangeAt is that definition's
 *   own, so instances still running it count as current.
 *
 * Worked example: app at 10:00:00.000 scaled 1→3 at 10:05 ⇒ version 10:05, lastScalingAt 10:05,
 * lastConfigChangeAt 10:00; then cmd changed at 10:07 ⇒ all three 10:07; then the 10:07 deployment
 * is rolled back at 10:08 ⇒ version 10:08, lastConfigChangeAt 10:00 again.
 */
export function stampVersion(previous: AppDefinition | undefined, next: AppDefinition, now: string, configChanged: boolean, keptConfigVersion?: string): AppDefinition {
  const version = previous?.version && previous.version >= now ? nextMillisecond(previous.version) : now;
  const changedAt = keptConfigVersion !== undefined && keptConfigVersion < version ? keptConfigVersion : version;
  const lastConfigChangeAt = !previous || configChanged ? changedAt : (previous.versionInfo?.lastConfigChangeAt ?? previous.version ?? version);
  return { ...next, version, versionInfo: { lastScalingAt: version, lastConfigChangeAt } };
}

/** `2020-01-01T00:00:00.999Z` → `2020-01-01T00:00:01.000Z`. Pure string arithmetic on ISO-8601 UTC. */
export function nextMillisecond(iso: string): string {
  const ms = Date.parse(iso);
  return new Date(ms + 1).toISOString();
}

/** Same definition apart from version stamps. */
export function withoutVersion(app: AppDefinition): AppDefinition {
  const { version: _v, versionInfo: _vi, ...rest } = app;
  return rest as AppDefinition;
}
