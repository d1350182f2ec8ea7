import * as http from 'node:http';
import * as https from 'node:https';

/**
 * The two kinds of HTTP exchange with a master (reference §1.1): the long-lived SUBSCRIBE stream on
 * its own connection, and every other call on a pool of keep-alive connections, each bounded by a
 * timeout. Nothing here knows Mesos messages; the driver does.
 */
export const SCHEDULER_PATH = '/api/v1/scheduler';
/** Longest error body kept from a call's answer (answers to calls are empty or a short message). */
const MAX_REPLY_BYTES = 64 * 1024;

export interface HttpReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

export class HttpPool {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16, maxFreeSockets: 4, timeout: 60_000 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16, maxFreeSockets: 4, timeout: 60_000 });

  agentFor(url: URL): http.Agent {
    return url.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
  }

  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function requestFn(url: URL): typeof http.request {
  return url.protocol === 'https:' ? https.request : http.request;
}

/** POST a call on the pool; resolves with status and (bounded) body, rejects on network error or timeout. */
export function postCall(pool: HttpPool, master: string, body: Buffer, headers: http.OutgoingHttpHeaders, timeoutMs: number): Promise<HttpReply> {
  const url = new URL(SCHEDULER_PATH, master);
  return new Promise((resolve, reject) => {
    const req = requestFn(url)(url, { method: 'POST', agent: pool.agentFor(url), headers: { ...headers, 'Content-Length': body.length } }, (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_REPLY_BYTES) parts.push(c.subarray(0, MAX_REPLY_BYTES - size));
        size += c.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => req.destroy(new Error(`call timed out after ${timeoutMs} ms`)), timeoutMs);
    function fail(e: Error): void {
      clearTimeout(timer);
      reject(e);
    }
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * Opens a SUBSCRIBE stream on a connection of its own (never pooled: it stays open for the whole
 * subscription). Resolves once the response headers arrive; the caller reads the body.
 */
export function openStream(master: string, body: Buffer, headers: http.OutgoingHttpHeaders, signal: AbortSignal, timeoutMs: number): Promise<http.IncomingMessage> {
  const url = new URL(SCHEDULER_PATH, master);
  return new Promise((resolve, reject) => {
    const req = requestFn(url)(url, { method: 'POST', agent: false, signal, headers: { ...headers, 'Content-Length': body.length } }, (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    const timer = setTimeout(() => req.destroy(new Error(`no SUBSCRIBE answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(body);
  });
}

/** Reads a (non-stream) answer's body, bounded. */
export async function readSmallBody(res: http.IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    const c = chunk as Buffer;
    if (size < MAX_REPLY_BYTES) parts.push(c.subarray(0, MAX_REPLY_BYTES - size));
    size += c.length;
  }
  return Buffer.concat(parts).toString('utf8');
}
