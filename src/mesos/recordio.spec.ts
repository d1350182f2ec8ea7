import fc from 'fast-check';
import { frameRecord, RecordIOError, RecordIOReader } from './recordio';

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    if (p > prev) out.push(bytes.subarray(prev, p));
    prev = Math.max(prev, p);
  }
  return out;
}

describe('RecordIOReader', () => {
  it('reads many records from one chunk and one record from many chunks', () => {
    const reader = new RecordIOReader(1024);
    expect(reader.push(Buffer.from('5\nhello3\nabc')).map(String)).toEqual(['hello', 'abc']);
    expect(reader.push(Buffer.from('1'))).toEqual([]);
    expect(reader.push(Buffer.from('1\nhello'))).toEqual([]);
    expect(reader.atBoundary).toBe(false);
    expect(reader.push(Buffer.from(' world')).map(String)).toEqual(['hello world']);
    expect(reader.atBoundary).toBe(true);
  });

  it('counts bytes, not characters (multi-byte UTF-8 split inside a character)', () => {
    const payload = Buffer.from('{"m":"héllo ✓"}', 'utf8');
    const framed = frameRecord(payload);
    const reader = new RecordIOReader(1024);
    const out = [...framed].flatMap((b) => reader.push(Buffer.from([b])));
    expect(out).toHaveLength(1);
    expect(out[0].toString('utf8')).toBe('{"m":"héllo ✓"}');
  });

  it('property: any chunking of any records yields exactly those records', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p) => frameRecord(Buffer.from(p))));
          const reader = new RecordIOReader(1024);
          const out = chunked(stream, cuts).flatMap((c) => reader.push(c));
          expect(out.map((b) => Buffer.from(b).toString('hex'))).toEqual(payloads.map((p) => Buffer.from(p).toString('hex')));
          expect(reader.atBoundary).toBe(true);
          expect(reader.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['a letter in the prefix', 'x\nabc', /malformed/],
    ['an empty prefix', '\nabc', /empty/],
    ['a zero length', '0\n', /length 0/],
    ['a negative sign', '-1\n', /malformed/],
    ['a record over the limit', '2000\n', /exceeds the 1024-byte limit/],
    ['an endless prefix', '1234567890123', /too long/],
  ])('ends the stream with a clear error on %s', (_name, input, message) => {
    const reader = new RecordIOReader(1024);
    expect(() => reader.push(Buffer.from(input))).toThrow(message);
    // Once broken, always broken: no further buffering.
    expect(() => reader.push(Buffer.from('3\nabc'))).toThrow(RecordIOError);
    expect(reader.bufferedBytes).toBe(0);
  });

  it('rejects an oversized record before buffering its body', () => {
    const reader = new RecordIOReader(10);
    expect(() => reader.push(Buffer.from('11\n'))).toThrow(RecordIOError);
  });
});
