import { mesos } from './proto/generated/mesos';
import type { Id, MasterInfo, Offer, OfferOperation, TaskStatus } from './types';

/**
 * Bytes ↔ Mesos' JSON-shaped plain objects, in either wire encoding. Both directions work on the
 * JSON mapping of reference §3.9 (snake_case names, enum names, base64 bytes), so the rest of the
 * driver never knows which encoding is on the wire and `TaskStatus.uuid` is echoed unchanged.
 */
export type Encoding = 'protobuf' | 'json';

const Call = mesos.v1.scheduler.Call;
const Event = mesos.v1.scheduler.Event;

/** A scheduler Call in JSON shape (what we send). */
export interface WireCall {
  readonly type: CallType;
  readonly framework_id?: Id;
  readonly subscribe?: { readonly framework_info: WireFrameworkInfo; readonly suppressed_roles?: readonly string[] };
  readonly accept?: { readonly offer_ids: readonly Id[]; readonly operations: readonly OfferOperation[]; readonly filters?: WireFilters };
  readonly decline?: { readonly offer_ids: readonly Id[]; readonly filters?: WireFilters };
  readonly revive?: { readonly roles?: readonly string[] };
  readonly suppress?: { readonly roles?: readonly string[] };
  readonly kill?: { readonly task_id: Id; readonly agent_id?: Id; readonly kill_policy?: { readonly grace_period?: { readonly nanoseconds: number } } };
  readonly acknowledge?: { readonly agent_id: Id; readonly task_id: Id; readonly uuid: string };
  readonly reconcile?: { readonly tasks?: readonly { readonly task_id: Id; readonly agent_id?: Id }[] };
}

export type CallType = 'SUBSCRIBE' | 'TEARDOWN' | 'ACCEPT' | 'DECLINE' | 'REVIVE' | 'SUPPRESS' | 'KILL' | 'ACKNOWLEDGE' | 'RECONCILE';

export interface WireFilters {
  readonly refuse_seconds?: number;
}

export interface WireFrameworkInfo {
  readonly user: string;
  readonly name: string;
  readonly id?: Id;
  readonly failover_timeout?: number;
  readonly checkpoint?: boolean;
  readonly hostname?: string;
  readonly webui_url?: string;
  readonly principal?: string;
  readonly roles?: readonly string[];
  readonly capabilities?: readonly { readonly type: string }[];
}

/** A scheduler Event in JSON shape (what we receive). Every part is optional: check before use. */
export interface WireEvent {
  readonly type?: string | number;
  readonly subscribed?: { readonly framework_id?: Id; readonly heartbeat_interval_seconds?: number; readonly master_info?: MasterInfo };
  readonly offers?: { readonly offers?: readonly Offer[] };
  readonly rescind?: { readonly offer_id?: Id };
  readonly update?: { readonly status?: TaskStatus };
  readonly failure?: { readonly agent_id?: Id; readonly executor_id?: Id; readonly status?: number };
  readonly error?: { readonly message?: string };
}

export interface Codec {
  readonly encoding: Encoding;
  /** Content-Type and Accept value for this encoding (exact strings: the master compares them). */
  readonly contentType: string;
  encodeCall(call: WireCall): Buffer;
  decodeEvent(record: Buffer): WireEvent;
}

export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

/** toObject options giving Mesos' JSON mapping: enum names, numbers for 64-bit ints, base64 bytes. */
const JSON_MAPPING = { enums: String, longs: Number, bytes: String, defaults: false } as const;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export const protobufCodec: Codec = {
  encoding: 'protobuf',
  contentType: 'application/x-protobuf',
  encodeCall(call) {
    return asBuffer(Call.encode(Call.fromObject(call)).finish());
  },
  decodeEvent(record) {
    try {
      return Event.toObject(Event.decode(record), JSON_MAPPING) as WireEvent;
    } catch (e) {
      throw new CodecError(`undecodable protobuf Event (${record.length} bytes): ${(e as Error).message}`);
    }
  },
};

export const jsonCodec: Codec = {
  encoding: 'json',
  contentType: 'application/json',
  encodeCall(call) {
    return Buffer.from(JSON.stringify(call), 'utf8');
  },
  decodeEvent(record) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.toString('utf8'));
    } catch (e) {
      throw new CodecError(`undecodable JSON Event (${record.length} bytes): ${(e as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CodecError('JSON Event is not an object');
    return parsed as WireEvent;
  },
};

export function codecFor(encoding: Encoding): Codec {
  return encoding === 'json' ? jsonCodec : protobufCodec;
}

/** Protobuf bytes of an Event given in JSON shape (tests, benchmarks). */
export function encodeEventProtobuf(event: WireEvent): Buffer {
  return asBuffer(Event.encode(Event.fromObject(event)).finish());
}

/** A Call's protobuf bytes back in JSON shape (tests: what the master would see). */
export function decodeCallProtobuf(bytes: Uint8Array): Record<string, unknown> {
  return Call.toObject(Call.decode(bytes), JSON_MAPPING);
}
