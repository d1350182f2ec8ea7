// RecordIO framing used on the SUBSCRIBE stream (reference §1.2): "<byte length>\n<bytes>".

/** Frames one payload as a RecordIO record. */
export function encodeRecord(payload: Uint8Array): Buffer {
  const header = Buffer.from(`${payload.length}\n`, 'ascii');
  return Buffer.concat([header, payload], header.length + payload.length);
}

/** Bytes of the record framing `payloadLength` bytes ("<length>\n" + payload). */
export function recordLength(payloadLength: number): number {
  return String(payloadLength).length + 1 + payloadLength;
}

/** Writes the record of `payload` into `out` at `offset` (room for recordLength bytes); returns the end offset. */
export function writeRecord(out: Buffer, offset: number, payload: Uint8Array): number {
  let o = offset + out.write(String(payload.length), offset, 'latin1');
  out[o++] = 0x0a;
  out.set(payload, o);
  return o + payload.length;
}
