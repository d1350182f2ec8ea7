// Mesos' own JSON mapping (stout JSON::protobuf / protobuf::parse), see reference §3.9. It is NOT
// proto3 canonical JSON: snake_case names only, enums as name strings (numbers rejected), bytes as
// padded base64, 64-bit integers as numbers, explicit [default=…] values emitted when unset.
//
// Internal representation used by the master ("plain message"): snake_case keys, enums as name
// strings, bytes as Buffer, 64-bit integers as numbers, unset fields absent.
import * as protobuf from 'protobufjs';
import { deprecatedFields } from '../proto/schema';

export type Plain = Record<string, unknown>;

/** A JSON or protobuf body that cannot be turned into the expected message. */
export class CodecError extends Error {}

const INT_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const FLOAT_TYPES = new Set(['double', 'float']);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses Mesos JSON into a plain message of `type`; throws CodecError on any mismatch. */
export function fromMesosJson(type: protobuf.Type, json: unknown, path = ''): Plain {
  if (!isObject(json)) throw new CodecError(`Expecting a JSON object for '${path || type.name}'`);
  const out: Plain = {};
  for (const [key, raw] of Object.entries(json)) {
    const field = type.fields[key];
    // Unknown keys (including camelCase spellings) are ignored, as stout does.
    if (!field || raw === null || raw === undefined) continue;
    const fpath = path ? `${path}.${key}` : key;
    if (field instanceof protobuf.MapField) {
      if (!isObject(raw)) throw new CodecError(`Expecting a JSON object for map field '${fpath}'`);
      const map: Plain = {};
      for (const [k, v] of Object.entries(raw)) map[k] = parseScalarOrMessage(field, v, `${fpath}.${k}`);
      out[key] = map;
    } else if (field.repeated) {
      if (!Array.isArray(raw)) throw new CodecError(`Expecting a JSON array for repeated field '${fpath}'`);
      const items = raw.map((v, i) => parseScalarOrMessage(field, v, `${fpath}[${i}]`)).filter((v) => v !== DROP);
      if (items.length > 0) out[key] = items;
    } else {
      const v = parseScalarOrMessage(field, raw, fpath);
      if (v !== DROP) out[key] = v;
    }
  }
  return out;
}

const DROP = Symbol('drop');

function parseScalarOrMessage(field: protobuf.Field, v: unknown, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return fromMesosJson(resolved, v, path);
  if (resolved instanceof protobuf.Enum) {
    if (typeof v !== 'string') throw new CodecError(`Expecting a JSON string for enum field '${path}'`);
    // Unknown enum names are dropped; a missing required field is reported later.
    return resolved.values[v] === undefined ? DROP : v;
  }
  return parsePrimitive(field.type, v, path);
}

function parsePrimitive(type: string, v: unknown, path: string): unknown {
  if (type === 'string') {
    if (typeof v !== 'string') throw new CodecError(`Expecting a JSON string for field '${path}'`);
    return v;
  }
  if (type === 'bool') {
    if (typeof v !== 'boolean') throw new CodecError(`Expecting a JSON boolean for field '${path}'`);
    return v;
  }
  if (type === 'bytes') {
    if (typeof v !== 'string' || !BASE64.test(v)) throw new CodecError(`Failed to base64 decode field '${path}'`);
    return Buffer.from(v, 'base64');
  }
  if (FLOAT_TYPES.has(type)) return parseNumber(v, path, true);
  if (INT_TYPES.has(type)) return parseNumber(v, path, false);
  throw new CodecError(`Unsupported field type '${type}' at '${path}'`);
}

function parseNumber(v: unknown, path: string, float: boolean): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && v.trim() !== '') n = float && /^[+-]?Infinity$/.test(v) ? Number(v) : Number(v);
  else throw new CodecError(`Expecting a JSON number for field '${path}'`);
  if (Number.isNaN(n) || (!float && !Number.isInteger(n))) throw new CodecError(`Invalid number for field '${path}'`);
  return n;
}

/** Per message type: its required fields and the fields holding messages (the only ones to check). */
const checkedFields = new WeakMap<protobuf.Type, { required: protobuf.Field[]; messages: protobuf.Field[] }>();

function fieldsToCheck(type: protobuf.Type): { required: protobuf.Field[]; messages: protobuf.Field[] } {
  let known = checkedFields.get(type);
  if (!known) {
    known = { required: type.fieldsArray.filter((f) => f.required), messages: type.fieldsArray.filter((f) => f.resolvedType instanceof protobuf.Type) };
    checkedFields.set(type, known);
  }
  return known;
}

/** True when a required field is missing anywhere in `obj`; allocates nothing (every call is checked). */
function anyMissing(type: protobuf.Type, obj: Plain): boolean {
  const { required, messages } = fieldsToCheck(type);
  for (const field of required) if (obj[field.name] === undefined || obj[field.name] === null) return true;
  for (const field of messages) {
    const v = obj[field.name];
    if (v === undefined || v === null) continue;
    const sub = field.resolvedType as protobuf.Type;
    if (field instanceof protobuf.MapField) {
      for (const k in v as Plain) if (anyMissing(sub, (v as Record<string, Plain>)[k])) return true;
    } else if (field.repeated) {
      for (const item of v as Plain[]) if (anyMissing(sub, item)) return true;
    } else if (anyMissing(sub, v as Plain)) {
      return true;
    }
  }
  return false;
}

/** Dotted paths of required fields missing anywhere in `obj` (proto2 IsInitialized). */
export function missingRequired(type: protobuf.Type, obj: Plain, prefix = ''): string[] {
  if (!anyMissing(type, obj)) return [];
  const missing: string[] = [];
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    const path = prefix ? `${prefix}.${field.name}` : field.name;
    if (v === undefined || v === null) {
      if (field.required) missing.push(path);
      continue;
    }
    const sub = field.resolvedType;
    if (!(sub instanceof protobuf.Type)) continue;
    if (field instanceof protobuf.MapField) {
      for (const [k, item] of Object.entries(v as Plain)) missing.push(...missingRequired(sub, item as Plain, `${path}.${k}`));
    } else if (field.repeated) {
      (v as Plain[]).forEach((item, i) => missing.push(...missingRequired(sub, item, `${path}[${i}]`)));
    } else {
      missing.push(...missingRequired(sub, v as Plain, path));
    }
  }
  return missing;
}

/** Renders a plain message as Mesos JSON (explicit non-deprecated defaults included). */
export function toMesosJson(type: protobuf.Type, obj: Plain): Plain {
  const out: Plain = {};
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    if (v === undefined || v === null) {
      const def = explicitDefault(type, field);
      if (def !== undefined) out[field.name] = def;
      continue;
    }
    if (field instanceof protobuf.MapField) {
      const map: Plain = {};
      for (const [k, item] of Object.entries(v as Plain)) map[k] = renderValue(field, item);
      out[field.name] = map;
    } else if (field.repeated) {
      const arr = v as unknown[];
      if (arr.length > 0) out[field.name] = arr.map((item) => renderValue(field, item));
    } else {
      out[field.name] = renderValue(field, v);
    }
  }
  return out;
}

function renderValue(field: protobuf.Field, v: unknown): unknown {
  const sub = field.resolvedType;
  if (sub instanceof protobuf.Type) return toMesosJson(sub, v as Plain);
  if (field.type === 'bytes') return Buffer.from(v as Uint8Array).toString('base64');
  return v;
}

function explicitDefault(type: protobuf.Type, field: protobuf.Field): unknown {
  const def = field.options?.default as unknown;
  if (def === undefined || field.repeated) return undefined;
  if (deprecatedFields.has(`${type.fullName.slice(1)}.${field.name}`)) return undefined;
  return def;
}

/** Decodes protobuf bytes into a plain message (enums as names, longs as numbers, bytes as Buffer). */
export function decodeProtobuf(type: protobuf.Type, body: Uint8Array): Plain {
  let message: protobuf.Message;
  try {
    message = type.decode(body);
  } catch (e) {
    throw new CodecError((e as Error).message);
  }
  return type.toObject(message, { enums: String, longs: Number }) as Plain;
}

/** Encodes a plain message as protobuf bytes. */
export function encodeProtobuf(type: protobuf.Type, obj: Plain): Uint8Array {
  return type.encode(type.fromObject(obj)).finish();
}
