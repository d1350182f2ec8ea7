// RecordIO over HTTP chunked encoding, read from a raw socket so chunk boundaries are visible:
// several records in one chunk, and records split across chunks.
import * as net from 'node:net';
import type { LocalMesos } from '../index';
import { decodeEvent, encodeCall, frameworkInfo, type Encoding, type EventT } from '../testing/client';
import { RecordIOReader } from '../testing/recordio-reader';
import { ENCODINGS, startFast } from './harness';

/** Subscribes over a raw socket and returns the HTTP chunks' payloads as they are framed. */
function rawSubscribe(port: number, encoding: Encoding, minEvents: number): Promise<{ head: string; chunks: Buffer[]; events: EventT[] }> {
  const ct = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
  const body = encodeCall(encoding, { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } });
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let head: string | null = null;
    const chunks: Buffer[] = [];
    const reader = new RecordIOReader();
    const events: EventT[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`only ${events.length} events`));
    }, 5000);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (head === null) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
      }
      // Chunked transfer coding: <hex size>\r\n<data>\r\n
      for (;;) {
        const nl = buf.indexOf('\r\n');
        if (nl < 0) break;
        const size = parseInt(buf.subarray(0, nl).toString('latin1'), 16);
        if (buf.length < nl + 2 + size + 2) break;
        const data = buf.subarray(nl + 2, nl + 2 + size);
        chunks.push(Buffer.from(data));
        for (const rec of reader.push(Buffer.from(data))) events.push(decodeEvent(encoding, rec));
        buf = buf.subarray(nl + 2 + size + 2);
      }
      if (events.length >= minEvents) {
        clearTimeout(timer);
        sock.destroy();
        resolve({ head, chunks, events });
      }
    });
    sock.on('error', reject);
    sock.write(`POST /api/v1/scheduler HTTP/1.1\r\nHost: x\r\nContent-Type: ${ct}\r\nAccept: ${ct}\r\nContent-Length: ${body.length}\r\n\r\n`);
    sock.write(body);
  });
}

describe.each(ENCODINGS)('RecordIO framing (%s)', (encoding) => {
  let whole: LocalMesos;
  let split: LocalMesos;
  beforeAll(async () => {
    whole = await startFast({ heartbeatIntervalSeconds: 30 });
    split = await startFast({ heartbeatIntervalSeconds: 30, streamChunkBytes: 7 });
  });
  afterAll(async () => {
    await whole.stop();
    await split.stop();
  });

  it('writes several records in one HTTP chunk', async () => {
    const { head, chunks, events } = await rawSubscribe(whole.port, encoding, 3);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(head.toLowerCase()).toContain('transfer-encoding: chunked');
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(['SUBSCRIBED', 'HEARTBEAT']);
    // SUBSCRIBED and HEARTBEAT are flushed together: one chunk, two records.
    const first = new RecordIOReader().push(chunks[0]);
    expect(first.length).toBeGreaterThanOrEqual(2);
  });

  it('lets records span many HTTP chunks', async () => {
    const { chunks, events } = await rawSubscribe(split.port, encoding, 3);
    expect(chunks.every((c) => c.length <= 7)).toBe(true);
    expect(chunks.length).toBeGreaterThan(10);
    expect(events.map((e) => e.type).slice(0, 3)).toEqual(['SUBSCRIBED', 'HEARTBEAT', 'OFFERS']);
    expect(events[2].offers!.offers).toHaveLength(2);
  });
});
