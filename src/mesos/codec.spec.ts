import { codecFor, decodeCallProtobuf, encodeEventProtobuf, jsonCodec, protobufCodec, type WireCall, type WireEvent } from './codec';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/**
 * Golden vectors: bytes written by hand from the field numbers of reference §2–§3 (tag = field << 3 |
 * wire type), so a wrong field number or enum value in our .proto fails here, not in production.
 */
describe('protobuf golden vectors', () => {
  it('HEARTBEAT event: type (1) = 8', () => {
    const bytes = hex('08 08');
    expect(protobufCodec.decodeEvent(bytes)).toEqual({ type: 'HEARTBEAT' });
    expect(encodeEventProtobuf({ type: 'HEARTBEAT' })).toEqual(bytes);
  });

  // Event{type=UPDATE(4), update(5){status(1){task_id(1){value "t"}, state(2)=TASK_STARTING(0), uuid(11)=01 02}}}
  const update = hex('08 04  2a 0d  0a 0b  0a 03 0a 01 74  10 00  5a 02 01 02');
  const updateJson: WireEvent = { type: 'UPDATE', update: { status: { task_id: { value: 't' }, state: 'TASK_STARTING', uuid: 'AQI=' } } };

  it('UPDATE event keeps the zero enum TASK_STARTING and maps uuid bytes to base64', () => {
    expect(protobufCodec.decodeEvent(update)).toEqual(updateJson);
    expect(encodeEventProtobuf(updateJson)).toEqual(update);
  });

  // Call{type(2)=SUBSCRIBE(1), subscribe(3){framework_info(1){user(1) "u", name(2) "n", capabilities(10){type(1)=MULTI_ROLE(6)}, roles(12) "*"}}}
  it('SUBSCRIBE call', () => {
    const call: WireCall = { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'n', capabilities: [{ type: 'MULTI_ROLE' }], roles: ['*'] } } };
    const bytes = hex('10 01  1a 0f  0a 0d  0a 01 75  12 01 6e  52 02 08 06  62 01 2a');
    expect(protobufCodec.encodeCall(call)).toEqual(bytes);
    expect(decodeCallProtobuf(bytes)).toEqual(call);
  });

  // Call{framework_id(1){value "F"}, type(2)=ACKNOWLEDGE(8), acknowledge(8){agent_id(1) "A", task_id(2) "T", uuid(3)=01 02}}
  it('ACKNOWLEDGE call echoes the base64 uuid as raw bytes', () => {
    const call: WireCall = { framework_id: { value: 'F' }, type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'A' }, task_id: { value: 'T' }, uuid: 'AQI=' } };
    const bytes = hex('0a 03 0a 01 46  10 08  42 0e  0a 03 0a 01 41  12 03 0a 01 54  1a 02 01 02');
    expect(protobufCodec.encodeCall(call)).toEqual(bytes);
    expect(decodeCallProtobuf(bytes)).toEqual(call);
  });

  // Call{type(2)=DECLINE(4), decline(5){offer_ids(1){value "O"}, filters(2){refuse_seconds(1) double 3600}}}
  it('DECLINE call with a refuse filter (double, little-endian)', () => {
    const call: WireCall = { type: 'DECLINE', decline: { offer_ids: [{ value: 'O' }], filters: { refuse_seconds: 3600 } } };
    const bytes = hex('10 04  2a 10  0a 03 0a 01 4f  12 09 09 00 00 00 00 00 20 ac 40');
    expect(protobufCodec.encodeCall(call)).toEqual(bytes);
    expect(decodeCallProtobuf(bytes)).toEqual(call);
  });

  // Call{type(2)=SUPPRESS(12), suppress(16){roles(1) "*"}}: field 16 needs a two-byte tag (0x82 0x01).
  it('SUPPRESS call (field 16, two-byte tag)', () => {
    const call: WireCall = { type: 'SUPPRESS', suppress: { roles: ['*'] } };
    const bytes = hex('10 0c  82 01 03 0a 01 2a');
    expect(protobufCodec.encodeCall(call)).toEqual(bytes);
  });
});

const offerEvent: WireEvent = {
  type: 'OFFERS',
  offers: {
    offers: [
      {
        id: { value: 'M-O1' },
        framework_id: { value: 'M-0000' },
        agent_id: { value: 'M-S0' },
        hostname: '127.0.0.1',
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, role: '*', allocation_info: { role: '*' } },
          { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31999 }] }, role: '*', allocation_info: { role: '*' } },
        ],
        attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }],
        url: { scheme: 'http', address: { hostname: '127.0.0.1', ip: '127.0.0.1', port: 5051 }, path: '/slave(1)' },
        allocation_info: { role: '*' },
      },
    ],
  },
};

const events: [string, WireEvent][] = [
  ['SUBSCRIBED', { type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'M-0000' }, heartbeat_interval_seconds: 15, master_info: { id: 'M', port: 5050, hostname: 'm1', address: { hostname: 'm1', ip: '10.0.0.1', port: 5050 } } } }],
  ['OFFERS', offerEvent],
  ['RESCIND', { type: 'RESCIND', rescind: { offer_id: { value: 'M-O1' } } }],
  [
    'UPDATE',
    {
      type: 'UPDATE',
      update: {
        status: {
          task_id: { value: 'app.1' },
          state: 'TASK_RUNNING',
          source: 'SOURCE_EXECUTOR',
          reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
          agent_id: { value: 'M-S0' },
          executor_id: { value: 'app.1' },
          timestamp: 1724430000.12,
          healthy: true,
          uuid: 'q83vEjRWeJCrze8SNFZ4kA==',
          unreachable_time: { nanoseconds: 1724430000120000000 },
        },
      },
    },
  ],
  ['FAILURE', { type: 'FAILURE', failure: { agent_id: { value: 'M-S0' }, status: 9 } }],
  ['ERROR', { type: 'ERROR', error: { message: 'Framework has been removed' } }],
];

describe('JSON and protobuf agree', () => {
  it.each(events)('%s event decodes to the same object from both encodings', (_name, event) => {
    const viaProtobuf = protobufCodec.decodeEvent(encodeEventProtobuf(event));
    const viaJson = jsonCodec.decodeEvent(Buffer.from(JSON.stringify(event)));
    expect(viaProtobuf).toEqual(viaJson);
    expect(viaProtobuf).toEqual(event);
  });

  const calls: WireCall[] = [
    {
      type: 'SUBSCRIBE',
      framework_id: { value: 'F' },
      subscribe: {
        framework_info: {
          user: 'root',
          name: 'pacer',
          id: { value: 'F' },
          failover_timeout: 604800,
          checkpoint: true,
          roles: ['*'],
          hostname: 'h1',
          webui_url: 'http://h1:8080',
          capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
        },
      },
    },
    {
      type: 'ACCEPT',
      framework_id: { value: 'F' },
      accept: {
        offer_ids: [{ value: 'M-O7' }],
        operations: [
          {
            type: 'LAUNCH',
            launch: {
              task_infos: [
                {
                  name: 'app',
                  task_id: { value: 'app.1' },
                  agent_id: { value: 'M-S0' },
                  resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, role: '*', allocation_info: { role: '*' } }],
                  command: { shell: true, value: 'sleep 100', environment: { variables: [{ name: 'A', value: 'b' }] } },
                  health_check: { type: 'HTTP', http: { port: 8080, path: '/' }, interval_seconds: 5 },
                  kill_policy: { grace_period: { nanoseconds: 3000000000 } },
                  labels: { labels: [{ key: 'k', value: 'v' }] },
                },
              ],
            },
          },
        ],
        filters: { refuse_seconds: 5 },
      },
    },
    { type: 'KILL', framework_id: { value: 'F' }, kill: { task_id: { value: 'app.1' }, agent_id: { value: 'M-S0' }, kill_policy: { grace_period: { nanoseconds: 1e9 } } } },
    { type: 'RECONCILE', framework_id: { value: 'F' }, reconcile: { tasks: [{ task_id: { value: 'app.1' }, agent_id: { value: 'M-S0' } }] } },
    { type: 'REVIVE', framework_id: { value: 'F' }, revive: { roles: ['*'] } },
    { type: 'TEARDOWN', framework_id: { value: 'F' } },
  ];

  it.each(calls.map((c) => [c.type, c] as const))('%s call means the same in both encodings', (_name, call) => {
    const fromProtobuf = decodeCallProtobuf(protobufCodec.encodeCall(call));
    const fromJson = JSON.parse(jsonCodec.encodeCall(call).toString('utf8')) as unknown;
    expect(fromProtobuf).toEqual(fromJson);
  });

  it('RECONCILE with no tasks stays an (empty) reconcile message in protobuf', () => {
    const bytes = protobufCodec.encodeCall({ type: 'RECONCILE', reconcile: { tasks: [] } });
    // type(2)=RECONCILE(9), reconcile(9) empty: the sub-message must be present (reference §2.1).
    expect(bytes).toEqual(hex('10 09 4a 00'));
  });
});

describe('codec errors', () => {
  it('rejects bytes that are not an Event', () => {
    expect(() => protobufCodec.decodeEvent(hex('0a ff ff'))).toThrow(/undecodable protobuf Event/);
    expect(() => jsonCodec.decodeEvent(Buffer.from('{oops'))).toThrow(/undecodable JSON Event/);
    expect(() => jsonCodec.decodeEvent(Buffer.from('[1]'))).toThrow(/not an object/);
  });

  it('decodes events of a type newer than our .proto (proto2: unknown enum value left unset) so the driver can ignore them', () => {
    expect(protobufCodec.decodeEvent(hex('08 63')).type).toBeUndefined();
  });

  it('names content types exactly as the master compares them', () => {
    expect(codecFor('protobuf').contentType).toBe('application/x-protobuf');
    expect(codecFor('json').contentType).toBe('application/json');
  });
});
