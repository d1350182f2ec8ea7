// One SUBSCRIBE stream: a chunked HTTP response carrying RecordIO-framed Events.
import type { ServerResponse } from 'node:http';
import { eventType } from '../proto/schema';
import { encodeProtobuf, toMesosJson, type Plain } from '../codec/mesos-json';
import { recordLength, writeRecord } from '../codec/recordio';
import type { EventMsg } from '../codec/types';

export interface StreamLimits {
  /** Split each write into HTTP chunks of at most this many bytes (0 = no splitting). */
  chunkBytes: number;
  /** Close the stream when the peer lets more than this many bytes pile up. */
  maxBufferBytes: number;
  /** Above this many unwritten bytes the stream counts as congested (see `congested`). */
  highWaterBytes: number;
}

export class Subscription {
  closed = false;
  /** Encoded events not yet written; framed as RecordIO records into one buffer on flush. */
  private pending: Uint8Array[] = [];
  /** Bytes of `pending` as records. */
  private pendingBytes = 0;
  private flushScheduled = false;
  private closeHandlers: (() => void)[] = [];
  private drainWaiters = new Set<() => void>();
  private drainListening = false;

  constructor(
    private readonly res: ServerResponse,
    readonly json: boolean,
    readonly streamId: string,
    private readonly limits: StreamLimits,
  ) {
    res.on('close', () => this.markClosed());
  }

  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }

  /**
   * True while more than the high-water mark waits to be written to the peer: producers that can
   * wait (status update heads) hold back instead of piling encoded bytes into the socket buffer.
   */
  get congested(): boolean {
    return this.pendingBytes + this.res.writableLength > this.limits.highWaterBytes;
  }

  /** Calls `handler` (once; the same function is registered once) when the stream stops being congested. */
  onDrain(handler: () => void): void {
    if (this.closed) return;
    this.drainWaiters.add(handler);
    if (this.drainListening) return;
    this.drainListening = true;
    this.res.once('drain', () => {
      this.drainListening = false;
      const waiters = [...this.drainWaiters];
      this.drainWaiters.clear();
      for (const w of waiters) w();
    });
  }

  /** Queues an event; records written in the same tick go out together in one HTTP chunk. */
  send(event: EventMsg): void {
    if (this.closed) return;
    const type = eventType();
    const payload = this.json
      ? Buffer.from(JSON.stringify(toMesosJson(type, event as unknown as Plain)), 'utf8')
      : encodeProtobuf(type, event as unknown as Plain);
    this.pending.push(payload);
    this.pendingBytes += recordLength(payload.length);
    if (this.pendingBytes + this.res.writableLength > this.limits.maxBufferBytes) {
      // A subscriber that stops reading must not grow our memory without bound.
      this.close();
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.pending.length === 0) return;
    // One buffer for every record of this tick: no per-event framing buffers.
    const data = Buffer.allocUnsafe(this.pendingBytes);
    let offset = 0;
    for (const payload of this.pending) offset = writeRecord(data, offset, payload);
    this.pending = [];
    this.pendingBytes = 0;
    const step = this.limits.chunkBytes;
    if (step > 0) {
      for (let off = 0; off < data.length; off += step) this.res.write(data.subarray(off, off + step));
    } else {
      this.res.write(data);
    }
  }

  /** Sends ERROR and closes (framework-level failures are reported this way, §1.2). */
  error(message: string): void {
    this.send({ type: 'ERROR', error: { message } });
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.res.end();
    this.markClosed();
  }

  /** Cuts the connection without ending the chunked body (a master process that died). */
  abort(): void {
    if (this.closed) return;
    this.pending = [];
    this.pendingBytes = 0;
    this.res.destroy();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed && this.closeHandlers.length === 0) return;
    this.closed = true;
    const handlers = this.closeHandlers;
    this.closeHandlers = [];
    this.drainWaiters.clear();
    for (const h of handlers) h();
  }
}
