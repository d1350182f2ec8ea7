/**
 * RecordIO framing of the SUBSCRIBE stream (reference §1.2): `<decimal byte length>\n<bytes>`,
 * repeated, with no separator. HTTP chunks and records are unrelated: a record can span chunks and
 * a chunk can hold many records. Works on Buffers only (lengths count bytes, not characters).
 * Memory is bounded: a length over `maxRecordBytes` or a malformed prefix is an error, never a
 * reason to keep buffering.
 */
export class RecordIOError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordIOError';
  }
}

/** Longest accepted length prefix: enough digits for any sane record limit. */
const MAX_PREFIX_DIGITS = 12;
const NEWLINE = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;

export class RecordIOReader {
  /** Digits of the prefix read so far, as a number (-1: none yet). */
  private length = -1;
  private digits = 0;
  /** Set once the prefix is complete: the body being collected. */
  private expected = -1;
  private parts: Buffer[] = [];
  private collected = 0;
  private failed: RecordIOError | undefined;

  constructor(private readonly maxRecordBytes: number) {}

  /** Bytes of an unfinished record held right now (for tests and metrics). */
  get bufferedBytes(): number {
    return this.collected;
  }

  /** True when no record is half-read (a clean place for the stream to end). */
  get atBoundary(): boolean {
    return this.length === -1 && this.expected === -1;
  }

  /** Feeds one chunk; returns the records it completed, in order. Throws RecordIOError on bad framing. */
  push(chunk: Buffer): Buffer[] {
    if (this.failed) throw this.failed;
    const out: Buffer[] = [];
    let i = 0;
    while (i < chunk.length) {
      i = this.expected === -1 ? this.readPrefix(chunk, i) : this.readBody(chunk, i, out);
    }
    return out;
  }

  private readPrefix(chunk: Buffer, start: number): number {
    let i = start;
    while (i < chunk.length) {
      const c = chunk[i++];
      if (c === NEWLINE) {
        if (this.digits === 0) this.fail('empty RecordIO length prefix');
        if (this.length === 0) this.fail('RecordIO record of length 0');
        if (this.length > this.maxRecordBytes) this.fail(`RecordIO record of ${this.length} bytes exceeds the ${this.maxRecordBytes}-byte limit`);
        this.expected = this.length;
        this.length = -1;
        this.digits = 0;
        return i;
      }
      if (c < ZERO || c > NINE) this.fail(`malformed RecordIO length prefix (byte 0x${c.toString(16)})`);
      if (++this.digits > MAX_PREFIX_DIGITS) this.fail('RecordIO length prefix too long');
      this.length = (this.length === -1 ? 0 : this.length * 10) + (c - ZERO);
    }
    return i;
  }

  private readBody(chunk: Buffer, start: number, out: Buffer[]): number {
    const need = this.expected - this.collected;
    const available = chunk.length - start;
    if (this.collected === 0 && available >= need) {
      // The whole record is inside this chunk: a view, no copy.
      out.push(chunk.subarray(start, start + need));
      this.expected = -1;
      return start + need;
    }
    const take = Math.min(need, available);
    this.parts.push(chunk.subarray(start, start + take));
    this.collected += take;
    if (this.collected === this.expected) {
      out.push(Buffer.concat(this.parts, this.collected));
      this.parts = [];
      this.collected = 0;
      this.expected = -1;
    }
    return start + take;
  }

  private fail(message: string): never {
    this.failed = new RecordIOError(message);
    this.parts = [];
    this.collected = 0;
    throw this.failed;
  }
}

/** One record framed for the wire (tests, benchmarks). */
export function frameRecord(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${payload.length}\n`, 'ascii'), payload]);
}
