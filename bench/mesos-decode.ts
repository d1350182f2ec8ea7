import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { codecFor, encodeEventProtobuf, type Encoding, type WireEvent } from '../src/mesos/codec';
import { frameRecord, RecordIOReader } from '../src/mesos/recordio';
import { saveResult } from './lib';

/**
 * Issue 4's decode figure: status-update events per second on one core, from raw RecordIO bytes
 * (cut into 16 KiB pieces as HTTP chunks would be) to the JSON-shaped status the scheduler sees,
 * in protobuf and JSON. Everything the driver does per update except the listener itself:
 * framing, decoding, and picking out the status. Target: ≥ 50,000/s in protobuf.
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CHUNK = 16 * 1024;

/** A realistic update: executor-sourced RUNNING with uuid, health, labels and container status. */
function update(i: number): WireEvent {
  return {
    type: 'UPDATE',
    update: {
      status: {
        task_id: { value: `group-${i % 100}_app-${i % 1000}.instance-${randomBytes(8).toString('hex')}._app.1` },
        state: i % 10 === 0 ? 'TASK_STARTING' : 'TASK_RUNNING',
        source: 'SOURCE_EXECUTOR',
        reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
        agent_id: { value: `0d7e3c1a-5b6f-4c8e-9a2d-${(i % 50).toString().padStart(12, '0')}-S${i % 50}` },
        executor_id: { value: `group-${i % 100}_app-${i % 1000}.instance-x._app.1` },
        timestamp: 1724430000.12 + i,
        healthy: true,
        uuid: randomBytes(16).toString('base64'),
        labels: { labels: [{ key: 'team', value: 'core' }] },
        container_status: { network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: '10.0.0.5' }] }], executor_pid: 4242 },
      },
    },
  };
}

function streamBytes(encoding: Encoding, events: WireEvent[]): Buffer {
  const records = events.map((e) => frameRecord(encoding === 'protobuf' ? encodeEventProtobuf(e) : Buffer.from(JSON.stringify(e), 'utf8')));
  return Buffer.concat(records);
}

function chunks(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(bytes.subarray(i, i + CHUNK));
  return out;
}

/** One pass over the stream; returns updates decoded (and checks they all came through). */
function decodeAll(encoding: Encoding, pieces: Buffer[]): number {
  const codec = codecFor(encoding);
  const reader = new RecordIOReader(32 * 1024 * 1024);
  let updates = 0;
  for (const piece of pieces) {
    for (const record of reader.push(piece)) {
      const event = codec.decodeEvent(record);
      if (event.type === 'UPDATE' && event.update?.status?.task_id) updates++;
    }
  }
  return updates;
}

function measure(encoding: Encoding, events: WireEvent[]): Record<string, number> {
  const bytes = streamBytes(encoding, events);
  const pieces = chunks(bytes);
  decodeAll(encoding, pieces); // warm-up (JIT)
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    const n = decodeAll(encoding, pieces);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (n !== events.length) throw new Error(`decoded ${n} of ${events.length} updates`);
    rates.push(n / seconds);
  }
  rates.sort((a, b) => a - b);
  return {
    updates_per_second_median: Math.round(rates[Math.floor(rates.length / 2)]),
    updates_per_second_best: Math.round(rates[rates.length - 1]),
    bytes_per_update: Math.round(bytes.length / events.length),
    stream_bytes: bytes.length,
  };
}

function main(): void {
  const events = Array.from({ length: EVENTS }, (_, i) => update(i));
  const result = {
    benchmark: 'mesos-decode',
    description: 'status-update events decoded per second on one core, from RecordIO bytes in 16 KiB chunks to JSON-shaped statuses',
    events_per_round: EVENTS,
    rounds: ROUNDS,
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    protobuf: measure('protobuf', events),
    json: measure('json', events),
    target_protobuf_updates_per_second: 50_000,
    at: new Date().toISOString(),
  };
  console.log(`protobuf: ${result.protobuf.updates_per_second_median.toLocaleString('en')} updates/s (median of ${ROUNDS}, ${result.protobuf.bytes_per_update} B/update)`);
  console.log(`json:     ${result.json.updates_per_second_median.toLocaleString('en')} updates/s (median of ${ROUNDS}, ${result.json.bytes_per_update} B/update)`);
  console.log(`saved ${saveResult('mesos-decode', result)}`);
}

main();
