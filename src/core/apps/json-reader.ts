import type { ValidationDetail } from '../errors';
import type { JsonValue } from './types';

/**
 * Type-level reading of request JSON, the part Marathon does with play-json before any semantic
 * validation. Errors use play-json's message keys and Marathon's path notation, e.g.
 * `{"path":"/healthChecks(0)/portIndex","errors":["error.expected.jsnumber"]}`.
 * `null` counts as absent (play-json `readNullable`), which is how Marathon 0.x/1.4 output such as
 * `"args": null` is read back.
 */

export type Raw = Record<string, unknown>;

export const MSG = Object.freeze({
  string: 'error.expected.jsstring',
  number: 'error.expected.jsnumber',
  int: 'error.expected.int',
  boolean: 'error.expected.jsboolean',
  array: 'error.expected.jsarray',
  object: 'error.expected.jsobject',
  missing: 'error.path.missing',
  min: 'error.min',
  max: 'error.max',
  minLength: 'error.minLength',
  maxLength: 'error.maxLength',
  pattern: 'error.pattern',
  enumLiteral: 'error.unknown.enum.literal',
  date: 'error.expected.date.isoformat',
});

/** Collects errors per JSON path, keeping first-seen order of paths and messages. */
export class Issues {
  private readonly byPath = new Map<string, string[]>();

  add(path: string, message: string): void {
    const p = path === '' ? '/' : path;
    const list = this.byPath.get(p);
    if (list === undefined) this.byPath.set(p, [message]);
    else if (!list.includes(message)) list.push(message);
  }

  get count(): number {
    return this.byPath.size;
  }

  details(): ValidationDetail[] {
    return [...this.byPath].map(([path, errors]) => ({ path, errors }));
  }
}

export const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
export const present = (v: unknown): boolean => v !== undefined && v !== null;
export const field = (path: string, key: string): string => `${path}/${key}`;
export const index = (path: string, i: number): string => `${path}(${i})`;

interface Range {
  readonly min?: number;
  readonly max?: number;
}

export class Reader {
  constructor(readonly issues: Issues) {}

  str(v: unknown, path: string, opts: { minLength?: number; maxLength?: number; pattern?: RegExp } = {}): string | undefined {
    if (!present(v)) return undefined;
    if (typeof v !== 'string') return void this.issues.add(path, MSG.string);
    if (opts.minLength !== undefined && v.length < opts.minLength) this.issues.add(path, MSG.minLength);
    if (opts.maxLength !== undefined && v.length > opts.maxLength) this.issues.add(path, MSG.maxLength);
    if (opts.pattern !== undefined && !opts.pattern.test(v)) this.issues.add(path, MSG.pattern);
    return v;
  }

  num(v: unknown, path: string, range: Range = {}): number | undefined {
    if (!present(v)) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return void this.issues.add(path, MSG.number);
    this.range(v, path, range);
    return v;
  }

  int(v: unknown, path: string, range: Range = {}): number | undefined {
    if (!present(v)) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return void this.issues.add(path, MSG.number);
    if (!Number.isInteger(v) || Math.abs(v) > 2147483647) return void this.issues.add(path, MSG.int);
    this.range(v, path, range);
    return v;
  }

  bool(v: unknown, path: string): boolean | undefined {
    if (!present(v)) return undefined;
    if (typeof v !== 'boolean') return void this.issues.add(path, MSG.boolean);
    return v;
  }

  arr(v: unknown, path: string): unknown[] | undefined {
    if (!present(v)) return undefined;
    if (!Array.isArray(v)) return void this.issues.add(path, MSG.array);
    return v;
  }

  obj(v: unknown, path: string): Raw | undefined {
    if (!present(v)) return undefined;
    if (!isObject(v)) return void this.issues.add(path, MSG.object);
    return v;
  }

  /** Marathon's generated enum readers match case-insensitively and answer the canonical literal. */
  enumOf<T extends string>(v: unknown, path: string, values: readonly T[]): T | undefined {
    if (!present(v)) return undefined;
    if (typeof v !== 'string') return void this.issues.add(path, MSG.string);
    const found = values.find((x) => x.toLowerCase() === v.toLowerCase());
    if (found === undefined) this.issues.add(path, MSG.enumLiteral);
    return found;
  }

  strArray(v: unknown, path: string, opts: { minLength?: number } = {}): string[] | undefined {
    const a = this.arr(v, path);
    if (a === undefined) return undefined;
    const out: string[] = [];
    a.forEach((x, i) => {
      const p = index(path, i);
      if (!present(x)) return void this.issues.add(p, MSG.string);
      const s = this.str(x, p, opts);
      if (s !== undefined) out.push(s);
    });
    return out;
  }

  strMap(v: unknown, path: string): Record<string, string> | undefined {
    const o = this.obj(v, path);
    if (o === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(o)) {
      const p = field(path, k);
      if (typeof x !== 'string') this.issues.add(p, MSG.string);
      else out[k] = x;
    }
    return out;
  }

  /** Any JSON object kept as stored data (deep-copied, undefined-free). */
  jsonObject(v: unknown, path: string): { [k: string]: JsonValue } | undefined {
    const o = this.obj(v, path);
    return o === undefined ? undefined : (toJson(o) as { [k: string]: JsonValue });
  }

  private range(v: number, path: string, range: Range): void {
    if (range.min !== undefined && v < range.min) this.issues.add(path, MSG.min);
    if (range.max !== undefined && v > range.max) this.issues.add(path, MSG.max);
  }
}

/** Deep copy to plain JSON (drops undefined, functions; non-finite numbers become null as JSON would). */
export function toJson(v: unknown): JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : toJson(x)));
  if (typeof v === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v as Raw)) if (x !== undefined && typeof x !== 'function') out[k] = toJson(x);
    return out;
  }
  return null;
}
