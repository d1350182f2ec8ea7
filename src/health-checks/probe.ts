/**
 * One Pacer-side health probe, as Marathon's `HealthCheckWorker` runs it (reference marathon-api.md
 * §2.3, §5): HTTP/HTTPS `GET path` or a TCP connect, bounded by timeoutSeconds.
 *
 * - HTTP/HTTPS success is a final status 200–399; anything else fails with cause "503 Service
 *   Unavailable" (Marathon's status text). The body is never read: the connection is closed on the
 *   status line.
 * - 1xx: Node reports interim answers (102 Processing, 103 Early Hints) apart from the final one, so a
 *   final status that follows them decides. When a 1xx is all the server sent before the timeout or
 *   close, the probe is `ignored` with ignoreHttp1xx (Marathon's `Ignored`: state unchanged) and fails
 *   without it. Marathon honours ignoreHttp1xx on HTTP only (its HTTPS path ignores the flag); the
 *   reference documents it for both, and so does Pacer.
 * - HTTPS does not verify certificates (Marathon: "allow very bad SSL configuration").
 * - No keep-alive: each probe opens and closes its own connection (what a check should test, and no
 *   idle sockets held for 10,000 instances between rounds).
 * - Never rejects: errors become failures with the error message as cause.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export type ProbeProtocol = 'HTTP' | 'HTTPS' | 'TCP';

export interface ProbeTarget {
  readonly protocol: ProbeProtocol;
  readonly host: string;
  readonly port: number;
  /** HTTP/HTTPS; default "/" ("health" is sent as "/health", as Marathon) */
  readonly path?: string;
  /** ≤ 0 means "no limit" as in Mesos, bounded by NO_TIMEOUT_CAP_MS */
  readonly timeoutSeconds: number;
  readonly ignoreHttp1xx?: boolean;
}

export interface ProbeResult {
  readonly ok: boolean;
  /** a 1xx-only answer with ignoreHttp1xx: apply nothing (core/health `applyProbeResult` leaves the state) */
  readonly ignored?: true;
  /** the HTTP status that decided */
  readonly status?: number;
  readonly cause?: string;
  readonly latencyMs: number;
}

/** Upper bound for timeoutSeconds 0, so no probe holds a worker slot forever. */
export const NO_TIMEOUT_CAP_MS = 60_000;

const httpAgent = new http.Agent({ keepAlive: false });
const httpsAgent = new https.Agent({ keepAlive: false, rejectUnauthorized: false });
const HEADERS = { 'User-Agent': 'Pacer-HealthCheck/1', Accept: '*/*', Connection: 'close' };

type Answer = Omit<ProbeResult, 'latencyMs'>;

export function probe(target: ProbeTarget, signal?: AbortSignal): Promise<ProbeResult> {
  const start = performance.now();
  const timeoutMs = target.timeoutSeconds > 0 ? target.timeoutSeconds * 1000 : NO_TIMEOUT_CAP_MS;
  const run = target.protocol === 'TCP' ? tcp : httpGet;
  return new Promise<ProbeResult>((resolve) => {
    let settle: ((a: Answer) => void) | undefined;
    const cancel = run(target, (a) => settle?.(a));
    const onAbort = (): void => settle?.({ ok: false, cause: 'aborted' });
    const timer = setTimeout(() => settle?.(cancel.timeout(timeoutMs)), timeoutMs);
    settle = (a) => {
      settle = undefined;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      cancel.close();
      resolve({ ...a, latencyMs: performance.now() - start });
    };
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Running {
  /** the answer when the timeout hits first */
  timeout(ms: number): Answer;
  close(): void;
}

function httpGet(t: ProbeTarget, done: (a: Answer) => void): Running {
  let interim: number | undefined;
  const raw = t.path ?? '';
  const path = raw.startsWith('/') ? raw : `/${raw}`;
  const secure = t.protocol === 'HTTPS';
  const req = (secure ? https : http).request({
    host: t.host, port: t.port, path, method: 'GET', headers: HEADERS, agent: secure ? httpsAgent : httpAgent,
    ...(secure ? { rejectUnauthorized: false } : {}),
  });
  // Without a final status, a 1xx is the answer; with ignoreHttp1xx it changes nothing.
  const noFinal = (cause: string): Answer => {
    if (interim === undefined) return { ok: false, cause };
    return t.ignoreHttp1xx === true ? { ok: false, ignored: true, status: interim, cause: statusText(interim) } : { ok: false, status: interim, cause: statusText(interim) };
  };
  req.on('information', (info) => { interim = info.statusCode; });
  req.on('response', (res) => {
    res.resume();
    const status = res.statusCode ?? 0;
    done(status >= 200 && status <= 399 ? { ok: true, status } : { ok: false, status, cause: statusText(status) });
  });
  req.on('error', (err) => done(noFinal(err.message)));
  req.end();
  return {
    timeout: (ms) => noFinal(`Request timed out after ${ms} ms`),
    close: () => req.destroy(),
  };
}

function tcp(t: ProbeTarget, done: (a: Answer) => void): Running {
  const socket = net.connect({ host: t.host, port: t.port });
  socket.once('connect', () => done({ ok: true }));
  socket.on('error', (err) => done({ ok: false, cause: err.message }));
  return {
    timeout: (ms) => ({ ok: false, cause: `Connection timed out after ${ms} ms` }),
    close: () => socket.destroy(),
  };
}

function statusText(status: number): string {
  const text = http.STATUS_CODES[status];
  return text === undefined ? String(status) : `${status} ${text}`;
}
