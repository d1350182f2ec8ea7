// A small, separate RecordIO reader for tests and benchmarks (deliberately not shared with the
// master's encoder): buffers bytes, reads "<len>\n", then exactly len bytes, on Buffers.

export class RecordIOReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxRecordBytes = 64 * 1024 * 1024) {}

  /** Feeds one chunk; returns every record completed by it. */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) {
        if (this.buf.length > 20) throw new Error('RecordIO: length header too long');
        return out;
      }
      const header = this.buf.subarray(0, nl).toString('ascii');
      if (!/^\d+$/.test(header)) throw new Error(`RecordIO: bad length header '${header}'`);
      const len = Number(header);
      if (len > this.maxRecordBytes) throw new Error(`RecordIO: record of ${len} bytes exceeds limit`);
      if (this.buf.length < nl + 1 + len) return out;
      out.push(Buffer.from(this.buf.subarray(nl + 1, nl + 1 + len)));
      this.buf = this.buf.subarray(nl + 1 + len);
    }
  }

  /** Bytes held for an incomplete record. */
  get buffered(): number {
    return this.buf.length;
  }
}
