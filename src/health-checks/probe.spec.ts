import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { probe, type ProbeTarget } from './probe';

/** Test server answers by path; /hang never answers; /processing sends only 102; /hints sends 103 then 200. */
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  switch (req.url) {
    case '/ok': res.end('fine'); return;
    case '/health': res.writeHead(204).end(); return;
    case '/redirect': res.writeHead(302, { Location: '/ok' }).end(); return;
    case '/399': res.writeHead(399).end(); return;
    case '/fail': res.writeHead(503).end(); return;
    case '/missing': res.writeHead(404).end(); return;
    case '/hang': return;
    case '/processing': res.writeProcessing(); return;
    case '/processing-then-ok': res.writeProcessing(); setTimeout(() => res.end('ok'), 50).unref(); return;
    case '/hints': res.writeEarlyHints({ link: '</a.css>; rel=preload' }); res.end('ok'); return;
    case '/big': res.write(Buffer.alloc(1 << 20)); setTimeout(() => res.end(), 5000).unref(); return;
    default: res.writeHead(500).end();
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

function freePort(): Promise<number> {
  const s = net.createServer();
  return listen(s).then((port) => new Promise((resolve) => s.close(() => resolve(port))));
}

describe('probe', () => {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Server): net.Server => s.on('connection', (c: net.Socket) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
  const httpServer = track(http.createServer(handler));
  let tlsDir: string;
  let httpsServer: https.Server;
  const tcpServer = track(net.createServer((c) => c.end()));
  let httpPort: number;
  let httpsPort: number;
  let tcpPort: number;

  beforeAll(async () => {
    // A self-signed certificate made now: the probe must accept it without verification.
    tlsDir = mkdtempSync(path.join(tmpdir(), 'pacer-probe-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=not-this-host',
      '-keyout', path.join(tlsDir, 'key.pem'), '-out', path.join(tlsDir, 'cert.pem')], { stdio: 'ignore' });
    httpsServer = track(https.createServer({ key: readFileSync(path.join(tlsDir, 'key.pem')), cert: readFileSync(path.join(tlsDir, 'cert.pem')) }, handler)) as https.Server;
    [httpPort, httpsPort, tcpPort] = await Promise.all([listen(httpServer), listen(httpsServer), listen(tcpServer)]);
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all([httpServer, httpsServer, tcpServer].map((s) => new Promise((r) => s.close(r))));
    rmSync(tlsDir, { recursive: true, force: true });
  });

  const target = (over: Partial<ProbeTarget>): ProbeTarget => ({ protocol: 'HTTP', host: '127.0.0.1', port: httpPort, timeoutSeconds: 2, ...over });

  it.each([
    // path, ok, status, cause
    ['/ok', true, 200, undefined],
    ['/health', true, 204, undefined],
    ['/redirect', true, 302, undefined], // 3xx is success and is not followed
    ['/399', true, 399, undefined],
    ['/fail', false, 503, '503 Service Unavailable'],
    ['/missing', false, 404, '404 Not Found'],
    ['/hints', true, 200, undefined], // 103 then 200: the final status decides
  ] as const)('HTTP GET %s → ok %s (%s)', async (p, ok, status, cause) => {
    const r = await probe(target({ path: p }));
    expect(r).toMatchObject({ ok, status, ...(cause ? { cause } : {}) });
    expect(r.ignored).toBeUndefined();
    expect(r.latencyMs).toBeGreaterThan(0);
  });

  it('a path without a leading slash is sent with one; no path means /', async () => {
    expect(await probe(target({ path: 'ok' }))).toMatchObject({ ok: true, status: 200 });
    expect(await probe(target({}))).toMatchObject({ ok: false, status: 500 });
  });

  it('does not wait for the body', async () => {
    const r = await probe(target({ path: '/big' }));
    expect(r).toMatchObject({ ok: true, status: 200 });
    expect(r.latencyMs).toBeLessThan(2000);
  });

  it('times out after timeoutSeconds', async () => {
    const r = await probe(target({ path: '/hang', timeoutSeconds: 0.3 }));
    expect(r).toMatchObject({ ok: false, cause: 'Request timed out after 300 ms' });
    expect(r.latencyMs).toBeGreaterThanOrEqual(290);
    expect(r.latencyMs).toBeLessThan(1500);
  });

  it.each([
    ['with ignoreHttp1xx: ignored (state left as it is)', true, { ok: false, ignored: true, status: 102, cause: '102 Processing' }],
    ['without: a failure', false, { ok: false, status: 102, cause: '102 Processing' }],
  ] as const)('a 1xx-only answer %s', async (_name, ignoreHttp1xx, want) => {
    const r = await probe(target({ path: '/processing', timeoutSeconds: 0.3, ignoreHttp1xx }));
    expect(r).toEqual({ ...want, latencyMs: expect.any(Number) });
  });

  it('a 1xx followed by a final status: the final status decides', async () => {
    expect(await probe(target({ path: '/processing-then-ok', ignoreHttp1xx: true }))).toMatchObject({ ok: true, status: 200 });
  });

  it('connection refused', async () => {
    const port = await freePort();
    const r = await probe(target({ port, path: '/ok' }));
    expect(r.ok).toBe(false);
    expect(r.cause).toContain('ECONNREFUSED');
  });

  it('HTTPS: accepts a self-signed certificate for another name', async () => {
    expect(await probe(target({ protocol: 'HTTPS', port: httpsPort, path: '/ok' }))).toMatchObject({ ok: true, status: 200 });
    expect(await probe(target({ protocol: 'HTTPS', port: httpsPort, path: '/fail' }))).toMatchObject({ ok: false, status: 503 });
  });

  it('HTTPS against a plain-HTTP port fails with the TLS error', async () => {
    const r = await probe(target({ protocol: 'HTTPS', port: httpPort, path: '/ok' }));
    expect(r.ok).toBe(false);
    expect(r.cause).toBeTruthy();
  });

  it('TCP: connect is success, refused is failure', async () => {
    expect(await probe({ protocol: 'TCP', host: '127.0.0.1', port: tcpPort, timeoutSeconds: 2 })).toMatchObject({ ok: true });
    const port = await freePort();
    const r = await probe({ protocol: 'TCP', host: '127.0.0.1', port, timeoutSeconds: 2 });
    expect(r.ok).toBe(false);
    expect(r.cause).toContain('ECONNREFUSED');
  });

  it('an abort ends the probe at once', async () => {
    const ac = new AbortController();
    const p = probe(target({ path: '/hang', timeoutSeconds: 30 }), ac.signal);
    setTimeout(() => ac.abort(), 50);
    const r = await p;
    expect(r).toMatchObject({ ok: false, cause: 'aborted' });
    expect(r.latencyMs).toBeLessThan(1000);
    const pre = new AbortController();
    pre.abort();
    expect(await probe(target({ path: '/ok' }), pre.signal)).toMatchObject({ cause: 'aborted' });
  });
});
