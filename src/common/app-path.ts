/**
 * App and group ids are paths (`/prod/web/api`), and Marathon's clients put them in URLs raw:
 * `GET /v2/apps/prod/web/api/versions`, even `PUT /v2/apps//my-app` (python client). A router
 * matches one segment per parameter, so before routing we fold the id's segments into one
 * URL-encoded segment:
 *
 *   /v2/apps//prod/web/versions/2020-01-01T00:00:00.000Z?x=1
 *     → /v2/apps/prod%2Fweb/versions/2020-01-01T00:00:00.000Z?x=1
 *
 * The keywords are recognised only at the end (Marathon forbids them as an id's last segment):
 * `<id>/restart`, `<id>/tasks`, `<id>/versions`, `<id>/versions/<v>`, `<id>/tasks/<taskId>`, and
 * `/v2/queue/<id>/delay`.
 */
const RESOURCES: ReadonlyArray<{ prefix: string; tail: ReadonlySet<string>; tailWithArg: ReadonlySet<string> }> = [
  { prefix: '/v2/apps/', tail: new Set(['restart', 'tasks', 'versions']), tailWithArg: new Set(['versions', 'tasks']) },
  { prefix: '/v2/groups/', tail: new Set(['versions']), tailWithArg: new Set(['versions']) },
  { prefix: '/v2/queue/', tail: new Set(['delay']), tailWithArg: new Set<string>() },
];

export function rewriteIdPath(url: string): string {
  const q = url.indexOf('?');
  const rawPath = q >= 0 ? url.slice(0, q) : url;
  const query = q >= 0 ? url.slice(q) : '';
  const path = rawPath.replace(/\/{2,}/g, '/');
  for (const r of RESOURCES) {
    if (!path.startsWith(r.prefix)) continue;
    const segs = path.slice(r.prefix.length).split('/').filter((s) => s.length > 0);
    if (segs.length === 0) return r.prefix.slice(0, -1) + query;
    let idLen = segs.length;
    const last = segs[segs.length - 1];
    const beforeLast = segs[segs.length - 2];
    if (segs.length >= 2 && r.tail.has(last)) idLen = segs.length - 1;
    else if (segs.length >= 3 && r.tailWithArg.has(beforeLast)) idLen = segs.length - 2;
    const id = segs.slice(0, idLen).join('%2F');
    const rest = segs.slice(idLen);
    return [r.prefix + id, ...rest].join('/') + query;
  }
  return path + query;
}
