// RecordIO framing used on the SUBSCRIBE stream (reference §1.2): "<byte length>\n<bytes>".

/** Frames one payload as a RecordIO record. */
export function encodeRecord(payload: Uint8Array): Buffer {
  const header = Buffer.from(`${payload.length}\n`, 'ascii');
  return Buffer.concat([header, payload], header.length + payload.length);
}
