/**
 * Marathon path ids (`state/PathId.scala`): `/group/sub/app`. Empty segments are dropped, so
 * `//a///b/` is `/a/b`; a leading `/` makes the id absolute, otherwise it is resolved against a base
 * group, with `.` and `..` handled like a file system (`..` above the root stays at the root).
 *
 *   canonicalizeId('b/../c', '/a')  → '/a/c'
 *   canonicalizeId('../x', '/a/b')  → '/a/x'
 *   canonicalizeId('//a//b/')       → '/a/b'
 */

/** One segment: DNS-label-like parts joined by dots (lowercase, digits, inner `-`). */
export const ID_SEGMENT_PATTERN = '^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$';
// Java's Matcher.matches() needs the whole segment to match; the alternation above is anchored
// only on one side each, so wrap it to get full-match semantics in JS.
const SEGMENT_RE = new RegExp(`^(?:${ID_SEGMENT_PATTERN})$`);

export const RESERVED_LAST_SEGMENTS = ['restart', 'tasks', 'versions'] as const;

export const ID_MESSAGES = Object.freeze({
  pattern: `must fully match regular expression '${ID_SEGMENT_PATTERN}'`,
  reserved: `must not end with any of the following reserved keywords: ${RESERVED_LAST_SEGMENTS.join(', ')}`,
  empty: 'Path must contain at least one path element',
  root: 'must not be root',
  absolute: 'Path needs to be absolute',
});

export function idSegments(id: string): string[] {
  return id.split('/').filter((s) => s.length > 0);
}

function resolve(segments: readonly string[]): string[] {
  const out: string[] = [];
  for (const s of segments) {
    if (s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out;
}

/** Absolute, canonical form of `id` (relative ids resolved against `base`, default root). */
export function canonicalizeId(id: string, base = '/'): string {
  const own = idSegments(id);
  const all = id.startsWith('/') ? own : [...resolve(idSegments(base)), ...own];
  return '/' + resolve(all).join('/');
}

/** The validation errors of an already-canonical absolute id (empty = valid). */
export function idErrors(canonical: string): string[] {
  const segments = idSegments(canonical);
  const errors: string[] = [];
  if (!segments.every((s) => SEGMENT_RE.test(s))) errors.push(ID_MESSAGES.pattern);
  const last = segments[segments.length - 1];
  if (last !== undefined && (RESERVED_LAST_SEGMENTS as readonly string[]).includes(last)) errors.push(ID_MESSAGES.reserved);
  if (segments.length === 0) errors.push(ID_MESSAGES.empty);
  return errors;
}

/** True for a canonical absolute app id: starts with `/`, not root, valid segments, no reserved end. */
export function isValidAbsoluteId(id: string): boolean {
  if (!id.startsWith('/')) return false;
  if (canonicalizeId(id) !== id) return false;
  const segments = idSegments(id);
  if (segments.some((s) => s === '.' || s === '..')) return false;
  return idErrors(id).length === 0;
}

/** Parent group of an id (`/a/b/c` → `/a/b`, `/a` → `/`, `/` → `/`). */
export function parentId(id: string): string {
  const segments = idSegments(canonicalizeId(id));
  return '/' + segments.slice(0, -1).join('/');
}
