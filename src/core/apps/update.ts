import { isObject } from './json-reader';
import type { AppDefinition } from './types';

/**
 * Marathon 1.x partial update (PUT with partialUpdate=true, PATCH): every top-level field present
 * (and not null) in the patch replaces the current one wholesale; absent or null fields keep the
 * current value (`AppConversion.appUpdateRamlReader`). The id never changes through the body, and
 * version/versionInfo stay the current ones (the server stamps new ones; a rollback
 * `{"version": ...}` is handled by the caller before merging).
 *
 * Deprecated fields in the patch win over the canonical fields of the current app, as Marathon
 * translates the update first:
 *   {"ports":[8080]}                         → replaces portDefinitions
 *   {"uris":["http://x/a.tgz"]}              → replaces fetch
 *   {"container":{"docker":{"network":"BRIDGE"}}} or {"ipAddress":{...}} → replaces networks
 *
 * Worked example of a Marathon quirk kept on purpose: current `{"args":["sleep","10"]}` plus patch
 * `{"cmd":"sleep 10"}` merges to both cmd and args, which normalizeApp rejects with
 * "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."; the client
 * must send `{"cmd":"sleep 10","args":[]}` to switch forms (an empty args list means "no args").
 *
 * A patch that is not a JSON object is returned unchanged so normalizeApp reports the type error.
 */
export function mergeAppUpdate(current: AppDefinition, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const merged: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined) continue;
    if (k === 'id' || k === 'version' || k === 'versionInfo') continue;
    merged[k] = v;
  }
  const has = (k: string) => patch[k] !== null && patch[k] !== undefined;
  if (has('ports') && !has('portDefinitions')) delete merged.portDefinitions;
  if (has('uris') && !has('fetch')) delete merged.fetch;
  const dockerNetwork = isObject(patch.container) && isObject(patch.container.docker) && patch.container.docker.network != null;
  if ((has('ipAddress') || dockerNetwork) && !has('networks')) delete merged.networks;
  // a new container replaces the current one, including its port mappings
  return merged;
}
