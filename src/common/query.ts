import { DomainError } from '../core/errors';

/**
 * Query parsing as Marathon's clients need it: booleans in any case (`force=False` from the python
 * client), repeated parameters (`embed=app.tasks&embed=app.counts`), and clear 400s otherwise.
 */
export function parseBool(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') throw DomainError.badRequest(`Query parameter '${name}' must be true or false`);
  if (v === '') return true; // `?force` alone means true
  if (/^true$/i.test(v)) return true;
  if (/^false$/i.test(v)) return false;
  throw DomainError.badRequest(`Query parameter '${name}' must be true or false, got '${v}'`);
}

/** All values of a possibly repeated parameter, comma-separated values split too. */
export function parseList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

export function parseOptionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  if (typeof v !== 'string') throw DomainError.badRequest(`Query parameter '${name}' must be a string`);
  return v;
}
