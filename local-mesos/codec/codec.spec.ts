import * as fc from 'fast-check';
import { callType, eventType, mesosRoot } from '../proto/schema';
import { CodecError, decodeProtobuf, encodeProtobuf, fromMesosJson, missingRequired, toMesosJson } from './mesos-json';
import { encodeRecord, recordLength, writeRecord } from './recordio';
import { RecordIOReader } from '../testing/recordio-reader';

describe('schema', () => {
  it.each([
    ['mesos.v1.scheduler.Call', 'update_framework', 19],
    ['mesos.v1.scheduler.Call', 'acknowledge', 8],
    ['mesos.v1.scheduler.Event', 'update_operation_status', 11],
    ['mesos.v1.TaskStatus', 'uuid', 11],
    ['mesos.v1.TaskStatus', 'unreachable_time', 14],
    ['mesos.v1.Offer', 'allocation_info', 10],
    ['mesos.v1.Resource', 'allocation_info', 11],
    ['mesos.v1.Attribute', 'text', 5],
    ['mesos.v1.Attribute', 'set', 6],
    ['mesos.v1.TaskInfo', 'kill_policy', 12],
    ['mesos.v1.FrameworkInfo', 'roles', 12],
  ])('%s.%s has field number %d', (type, field, id) => {
    expect(mesosRoot().lookupType(type).fields[field].id).toBe(id);
  });

  it('encodes proto2 zero values that carry meaning (TASK_STARTING, SOURCE_MASTER, healthy=false)', () => {
    const bytes = Buffer.from(
      encodeProtobuf(eventType(), { type: 'UPDATE', update: { status: { task_id: { value: 'a' }, state: 'TASK_STARTING', source: 'SOURCE_MASTER', healthy: false } } }),
    );
    // Event{type=UPDATE(4), update{status{task_id{"a"}, state=0 (#2), healthy=0 (#8), source=0 (#9)}}}
    expect(bytes.toString('hex')).toBe('08042a0d0a0b0a030a0161100040004800');
    const decoded = decodeProtobuf(eventType(), bytes) as { update: { status: Record<string, unknown> } };
    expect(decoded.update.status).toMatchObject({ state: 'TASK_STARTING', source: 'SOURCE_MASTER', healthy: false });
  });
});

describe('Mesos JSON mapping', () => {
  const call = callType();

  it('parses snake_case, enum names and base64 bytes; ignores unknown and camelCase keys', () => {
    const parsed = fromMesosJson(call, {
      type: 'ACKNOWLEDGE',
      frameworkId: { value: 'ignored' },
      framework_id: { value: 'F' },
      acknowledge: { agent_id: { value: 'A' }, task_id: { value: 'T' }, uuid: Buffer.alloc(16, 7).toString('base64') },
      extra: 1,
    });
    expect(parsed.type).toBe('ACKNOWLEDGE');
    expect(parsed.framework_id).toEqual({ value: 'F' });
    expect((parsed.acknowledge as { uuid: Buffer }).uuid).toEqual(Buffer.alloc(16, 7));
    expect(parsed.frameworkId).toBeUndefined();
  });

  it.each([
    ['enum as number', { type: 1 }],
    ['string as number', { framework_id: { value: 3 } }],
    ['bad base64', { type: 'ACKNOWLEDGE', acknowledge: { uuid: '***' } }],
    ['repeated not an array', { type: 'DECLINE', decline: { offer_ids: { value: 'x' } } }],
  ])('rejects %s', (_name, json) => {
    expect(() => fromMesosJson(call, json)).toThrow(CodecError);
  });

  it('drops unknown enum names of optional fields and reports missing required fields', () => {
    const parsed = fromMesosJson(call, { type: 'NOT_A_TYPE', subscribe: { framework_info: { name: 'n' } } });
    expect(parsed.type).toBeUndefined();
    expect(missingRequired(call, parsed)).toEqual(['subscribe.framework_info.user']);
  });

  it('accepts numeric strings for numbers, and null as unset', () => {
    const parsed = fromMesosJson(call, { type: 'DECLINE', decline: { filters: { refuse_seconds: '2.5' } }, framework_id: null });
    expect(parsed).toEqual({ type: 'DECLINE', decline: { filters: { refuse_seconds: 2.5 } } });
  });

  it('renders bytes as base64, omits empty repeated fields, and emits explicit non-deprecated defaults', () => {
    const json = toMesosJson(eventType(), {
      type: 'UPDATE',
      update: { status: { task_id: { value: 't' }, state: 'TASK_RUNNING', uuid: Buffer.alloc(16, 1) } },
    });
    expect(json).toEqual({ type: 'UPDATE', update: { status: { task_id: { value: 't' }, state: 'TASK_RUNNING', uuid: 'AQEBAQEBAQEBAQEBAQEBAQ==' } } });
    const fw = toMesosJson(mesosRoot().lookupType('mesos.v1.FrameworkInfo'), { user: 'u', name: 'n', capabilities: [] });
    expect(fw).toEqual({ user: 'u', name: 'n', failover_timeout: 0, checkpoint: false });
    const res = toMesosJson(mesosRoot().lookupType('mesos.v1.Resource'), { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } });
    expect(res.role).toBeUndefined();
  });

  it('round-trips a call through protobuf', () => {
    const msg = { type: 'KILL', framework_id: { value: 'F' }, kill: { task_id: { value: 'T' }, kill_policy: { grace_period: { nanoseconds: 5e9 } } } };
    expect(decodeProtobuf(call, encodeProtobuf(call, msg))).toEqual(msg);
  });
});

describe('RecordIO', () => {
  it('frames as "<length>\\n<bytes>" counting bytes, not characters', () => {
    expect(encodeRecord(Buffer.from('{"a":"é"}')).toString()).toBe('10\n{"a":"é"}');
  });

  it('writes records back to back into one buffer as encodeRecord frames them', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 8 }), (payloads) => {
        const out = Buffer.alloc(payloads.reduce((n, p) => n + recordLength(p.length), 0));
        let off = 0;
        for (const p of payloads) off = writeRecord(out, off, p);
        expect(off).toBe(out.length);
        expect(out.toString('hex')).toBe(Buffer.concat(payloads.map((p) => encodeRecord(p))).toString('hex'));
      }),
    );
  });

  it('reads records back however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map((p) => encodeRecord(p)));
        const reader = new RecordIOReader();
        const out: Buffer[] = [];
        let off = 0;
        let i = 0;
        while (off < stream.length) {
          const n = cuts[i++ % cuts.length];
          out.push(...reader.push(stream.subarray(off, off + n)));
          off += n;
        }
        expect(out.map((b) => Buffer.from(b).toString('hex'))).toEqual(payloads.map((p) => Buffer.from(p).toString('hex')));
        expect(reader.buffered).toBe(0);
      }),
    );
  });

  it('rejects a malformed length header', () => {
    expect(() => new RecordIOReader().push(Buffer.from('x1\nabc'))).toThrow(/bad length/);
  });
});
