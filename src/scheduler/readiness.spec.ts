/**
 * ReadinessChecker against real HTTP(S) servers on 127.0.0.1. Timing: intervals of a few tens of ms,
 * and every wait is a condition polled until a deadline. To show that something does NOT happen
 * (no more polls), a second "metronome" check polls another server: once it has polled a few more
 * times, the first one had every chance to poll too.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { normalizeApp, type AppDefinition, type ReadinessCheck } from '../core/apps';
import { ReadinessChecker, readinessUrl, type ReadinessLog, type ReadinessTarget } from './readiness';

const VERSION = '2020-01-01T00:00:00.000Z';

// Self-signed, test-only certificate (CN=pacer-readiness-test, EC P-256): the checker must accept it.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4c13yjiDzxp1gT9r
hekwiECEFaPjCgi7jt+33QQgSXehRANCAATxmE2JwCWCgxGTfw2M8Vgr0BgYfSOx
1DCg5ijSCoghWyUSPxJFGka5/yx1+VyMNGxVagGwz6vQOU6oTFRIbYcR
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUCQIDP++jvSUz4alE3KTP/vq1bQMwCgYIKoZIzj0EAwIw
HzEdMBsGA1UEAwwUcGFjZXItcmVhZGluZXNzLXRlc3QwIBcNMjYxMTIyMDI1NTE0
WhgPMjEyNjEwMjkwMjU1MTRaMB8xHTAbBgNVBAMMFHBhY2VyLXJlYWRpbmVzcy10
ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8ZhNicAlgoMRk38NjPFYK9AY
GH0jsdQwoOYo0gqIIVslEj8SRRpGuf8sdflcjDRsVWoBsM+r0DlOqExUSG2HEaNT
MFEwHQYDVR0OBBYEFNbePL+W4CaOk2eR+PSxpPCKj5VdMB8GA1UdIwQYMBaAFNbe
PL+W4CaOk2eR+PSxpPCKj5VdMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID
SAAwRQIhALTWgBunwp05V79Mc8B3B7p+BGDzvk/d9PzMAbGCUf+cAiAOCVyGZWjq
RNWhO47l1uFu4kwPacGyAbEMh5YAg9WROg==
-----END CERTIFICATE-----
`;

interface TestServer {
  readonly port: number;
  /** paths of the requests received, in order */
  readonly hits: string[];
  /** requests currently open, and the most ever open at once */
  readonly open: { now: number; max: number };
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A server on 127.0.0.1:0; `handler` gets the 1-based request number. Closed after the test. */
async function serve(handler: Handler, tls = false): Promise<TestServer> {
  const hits: string[] = [];
  const open = { now: 0, max: 0 };
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    hits.push(req.url ?? '');
    open.now++;
    open.max = Math.max(open.max, open.now);
    req.socket.once('close', () => open.now--);
    handler(req, res, hits.length);
  };
  const server = tls ? https.createServer({ key: TEST_KEY, cert: TEST_CERT }, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { port: (server.address() as AddressInfo).port, hits, open };
}

const answer = (status: number, body = '', contentType = 'text/plain'): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
};
/** 503 for the first `n` requests, 200 after. */
const readyAfter = (n: number): Handler => (req, res, i) => answer(i > n ? 200 : 503, i > n ? 'ok' : 'warming')(req, res, i);
/** Accepts the request and never answers. */
const hang: Handler = () => undefined;

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function app(check: Partial<ReadinessCheck> = {}, raw: Record<string, unknown> = {}): AppDefinition {
  const r = normalizeApp({ id: '/ready/web', cmd: 'sleep 100', portDefinitions: [{ port: 0, name: 'http-api' }], ...raw });
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  // Set after normalization: validation wants timeoutSeconds >= 1 < intervalSeconds, too slow for tests.
  const readiness: ReadinessCheck = {
    name: 'readinessCheck', protocol: 'HTTP', path: '/ready', portName: 'http-api', intervalSeconds: 0.02,
    timeoutSeconds: 1, httpStatusCodesForReady: [200], preserveLastResponse: false, ...check,
  };
  return { ...r.app, version: VERSION, readinessChecks: [readiness] };
}

function target(a: AppDefinition, port: number, over: Partial<ReadinessTarget> = {}): ReadinessTarget {
  return { instanceId: 'i1', taskId: 't1', app: a, host: '127.0.0.1', hostPorts: [port], ...over };
}

function checker(opts: ConstructorParameters<typeof ReadinessChecker>[0] = {}): ReadinessChecker {
  const c = new ReadinessChecker(opts);
  cleanups.push(() => c.stop());
  return c;
}

function memoryLog(): ReadinessLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}

/** A metronome: another check that never gets ready, polled by `c` (or its own checker). */
async function metronome(c: ReadinessChecker, others: readonly ReadinessTarget[] = []): Promise<{ server: TestServer; ticks: (n: number) => Promise<void> }> {
  const server = await serve(answer(503));
  c.track([...others, target(app(), server.port, { instanceId: 'metronome', taskId: 'metronome-t' })]);
  return { server, ticks: async (n) => { const goal = server.hits.length + n; await waitFor(`${n} metronome ticks`, () => server.hits.length >= goal); } };
}

describe('ReadinessChecker', () => {
  it('polls at once and every interval until the status is ready, then stops and tells onChange once', async () => {
    const server = await serve(readyAfter(3));
    const changed: string[] = [];
    const c = checker({ onChange: (id) => changed.push(id) });
    const t = target(app(), server.port);
    c.track([t]);
    await waitFor('first poll', () => server.hits.length >= 1);
    expect(c.isReady('i1')).toBe(false);
    expect(c.results('i1')).toEqual([{ taskId: 't1', name: 'readinessCheck', ready: false }]);

    await waitFor('ready', () => c.isReady('i1'));
    expect(server.hits).toEqual(['/ready', '/ready', '/ready', '/ready']);
    expect(changed).toEqual(['i1']);
    expect(c.results('i1')).toEqual([{ taskId: 't1', name: 'readinessCheck', ready: true }]);

    // Ready is final for the task: no more polls while others keep polling.
    const m = await metronome(c, [t]);
    await m.ticks(3);
    expect(server.hits).toHaveLength(4);
    expect(c.isReady('i1')).toBe(true);
    expect(changed).toEqual(['i1']);
  });

  it('honours httpStatusCodesForReady (another code than 200)', async () => {
    const server = await serve(answer(204));
    const c = checker();
    c.track([target(app({ httpStatusCodesForReady: [200] }), server.port, { instanceId: 'strict' }), target(app({ httpStatusCodesForReady: [200, 204] }), server.port, { instanceId: 'lenient' })]);
    await waitFor('lenient ready', () => c.isReady('lenient'));
    await waitFor('strict polled twice', () => server.hits.length >= 4);
    expect(c.isReady('strict')).toBe(false);
  });

  it('counts a timeout as not ready and polls again', async () => {
    const server = await serve(hang);
    const c = checker({ fetchTimeoutCapMs: 50 }); // the cap bounds timeoutSeconds (1 s here)
    c.track([target(app(), server.port)]);
    await waitFor('polled again after a timeout', () => server.hits.length >= 2);
    expect(c.isReady('i1')).toBe(false);
    expect(c.results('i1')).toEqual([{ taskId: 't1', name: 'readinessCheck', ready: false }]);
    // Each timed-out probe was aborted: at most one is open at a time per check.
    expect(server.open.max).toBe(1);
  });

  it('counts a refused connection as not ready', async () => {
    const server = await serve(answer(200));
    const dead = await serve(answer(200));
    // A port nobody listens on: take a server's port and close the server.
    await cleanups.pop()?.();
    const c = checker({ fetchTimeoutCapMs: 1000 });
    c.track([target(app({ preserveLastResponse: true }), dead.port, { instanceId: 'dead' }), target(app(), server.port, { instanceId: 'live' })]);
    await waitFor('live ready', () => c.isReady('live'));
    await waitFor('dead has a result', () => c.results('dead')[0].lastResponse !== undefined);
    expect(c.isReady('dead')).toBe(false);
    // Marathon reports a failed query as a synthetic 504 when the last response is preserved.
    const r = c.results('dead')[0];
    expect(r.lastResponse?.status).toBe(504);
    expect(r.lastResponse?.contentType).toBe('text/plain');
    expect(r.lastResponse?.body).toContain(`http://127.0.0.1:${dead.port}/ready`);
  });

  describe('preserveLastResponse', () => {
    it('keeps status, media type and body of the last response when true', async () => {
      const server = await serve((req, res, n) => answer(n >= 2 ? 200 : 503, JSON.stringify({ n }), 'application/json; charset=utf-8')(req, res, n));
      const c = checker();
      c.track([target(app({ preserveLastResponse: true }), server.port)]);
      await waitFor('first result', () => c.results('i1')[0].lastResponse !== undefined);
      expect(c.results('i1')).toEqual([{ taskId: 't1', name: 'readinessCheck', ready: false, lastResponse: { status: 503, contentType: 'application/json', body: '{"n":1}' } }]);
      await waitFor('ready', () => c.isReady('i1'));
      expect(c.results('i1')).toEqual([{ taskId: 't1', name: 'readinessCheck', ready: true, lastResponse: { status: 200, contentType: 'application/json', body: '{"n":2}' } }]);
    });

    it('keeps no response when false, even after failures', async () => {
      const server = await serve(readyAfter(1));
      const c = checker();
      c.track([target(app({ preserveLastResponse: false }), server.port)]);
      await waitFor('ready', () => c.isReady('i1'));
      expect(c.results('i1')[0]).not.toHaveProperty('lastResponse');
    });

    it('bounds the body kept', async () => {
      const server = await serve(answer(200, 'x'.repeat(100_000)));
      const c = checker({ maxBodyBytes: 4096 });
      c.track([target(app({ preserveLastResponse: true }), server.port)]);
      await waitFor('ready', () => c.isReady('i1'));
      expect(c.results('i1')[0].lastResponse?.body).toBe('x'.repeat(4096));
    });

    it('reports an empty media type when the response has none', async () => {
      const server = await serve((_req, res) => { res.writeHead(200); res.end('plain'); });
      const c = checker();
      c.track([target(app({ preserveLastResponse: true }), server.port)]);
      await waitFor('ready', () => c.isReady('i1'));
      expect(c.results('i1')[0].lastResponse).toEqual({ status: 200, contentType: '', body: 'plain' });
    });
  });

  describe('port names', () => {
    it('resolves portName among portDefinitions to the matching host port', async () => {
      const other = await serve(answer(503));
      const server = await serve(answer(200));
      const a = app({ portName: 'http-api' }, { portDefinitions: [{ port: 0, name: 'admin' }, { port: 0, name: 'http-api' }] });
      const c = checker();
      c.track([target(a, server.port, { hostPorts: [other.port, server.port] })]);
      await waitFor('ready', () => c.isReady('i1'));
      expect(other.hits).toEqual([]);
    });

    it('skips port mappings without a host port when aligning host ports', () => {
      const a = app({ portName: 'http-api' }, {
        portDefinitions: undefined,
        networks: [{ mode: 'container', name: 'overlay' }],
        container: { type: 'DOCKER', docker: { image: 'nginx' }, portMappings: [{ containerPort: 81, name: 'internal' }, { containerPort: 80, hostPort: 0, name: 'http-api' }] },
      });
      // Only 'http-api' asked for a host port, so the instance holds exactly one.
      expect(readinessUrl(a, 'agent-1', [31001], a.readinessChecks[0])).toEqual({ url: new URL('http://agent-1:31001/ready') });
      // A port reachable only on the container's own IP cannot be checked from the leader.
      const internal = { ...a.readinessChecks[0], portName: 'internal' };
      expect(readinessUrl(a, 'agent-1', [31001], internal)).toEqual({ error: "port 'internal' has no host port" });
    });

    it('reports an unknown port name as not ready and warns once per app version', async () => {
      const log = memoryLog();
      const c = checker({ log });
      const a = app({ portName: 'nope' });
      const targets = [target(a, 1, { instanceId: 'i1', taskId: 't1' }), target(a, 2, { instanceId: 'i2', taskId: 't2' })];
      c.track(targets);
      c.track(targets);
      expect(c.isReady('i1')).toBe(false);
      expect(c.results('i2')).toEqual([{ taskId: 't2', name: 'readinessCheck', ready: false }]);
      expect(log.lines).toEqual([`warn readiness check 'readinessCheck' of /ready/web cannot run (tasks stay not ready): no port named 'nope' in the app's ports`]);
    });

    it('builds https URLs and bracketed IPv6 hosts', () => {
      const a = app({ protocol: 'HTTPS', path: '/v1/ready?deep=1' });
      expect(readinessUrl(a, '::1', [8443], a.readinessChecks[0])).toEqual({ url: new URL('https://[::1]:8443/v1/ready?deep=1') });
    });
  });

  it('checks HTTPS without verifying the certificate', async () => {
    const server = await serve(answer(200), true);
    const c = checker();
    c.track([target(app({ protocol: 'HTTPS' }), server.port)]);
    await waitFor('ready over https', () => c.isReady('i1'));
    expect(server.hits).toEqual(['/ready']);
  });

  it('stops polling an instance that is no longer tracked', async () => {
    const server = await serve(answer(503));
    const c = checker();
    const t = target(app(), server.port);
    c.track([t]);
    await waitFor('two polls', () => server.hits.length >= 2);
    const m = await metronome(c); // replaces the set: t is no longer tracked
    const seen = server.hits.length;
    await m.ticks(3);
    expect(server.hits.length).toBe(seen);
    expect(c.isReady('i1')).toBe(false);
    expect(c.results('i1')).toEqual([]);
  });

  it('keeps a ready instance ready while its task is tracked, and starts over for a new task', async () => {
    const server = await serve((req, res, n) => answer(n === 1 || n >= 3 ? 200 : 503)(req, res, n));
    const changed: string[] = [];
    const c = checker({ onChange: (id) => changed.push(id) });
    const t = target(app(), server.port);
    c.track([t]);
    await waitFor('ready', () => c.isReady('i1'));
    // Tracking it again (even with a changed definition) neither polls nor un-readies it.
    c.track([t]);
    c.track([{ ...t, app: app({ path: '/other' }) }]);
    expect(c.isReady('i1')).toBe(true);
    expect(server.hits).toEqual(['/ready']);

    // The instance's next task is checked from scratch.
    c.track([{ ...t, taskId: 't2' }]);
    expect(c.isReady('i1')).toBe(false);
    expect(c.results('i1')).toEqual([{ taskId: 't2', name: 'readinessCheck', ready: false }]);
    await waitFor('t2 ready', () => c.isReady('i1'));
    expect(server.hits).toEqual(['/ready', '/ready', '/ready']);
    expect(changed).toEqual(['i1', 'i1']);
  });

  it('restarts a pending check whose definition changed, keeps an unchanged one', async () => {
    const server = await serve(answer(503));
    const c = checker();
    const t = target(app(), server.port);
    c.track([t]);
    await waitFor('a poll', () => server.hits.length >= 1);
    c.track([{ ...t, app: app({ path: '/v2' }) }]);
    await waitFor('the new path polled', () => server.hits.includes('/v2'));
    const m = await metronome(c, [{ ...t, app: app({ path: '/v2' }) }]);
    const before = server.hits.filter((h) => h === '/ready').length;
    await m.ticks(3);
    expect(server.hits.filter((h) => h === '/ready').length).toBe(before);
  });

  it('treats an app without readiness checks as ready, an untracked instance as not ready', () => {
    const c = checker();
    c.track([target({ ...app(), readinessChecks: [] }, 1)]);
    expect(c.isReady('i1')).toBe(true);
    expect(c.results('i1')).toEqual([]);
    expect(c.isReady('unknown')).toBe(false);
  });

  it('keeps at most maxConcurrent probes in flight and serves waiting checks in turn', async () => {
    const server = await serve(hang);
    const c = checker({ maxConcurrent: 2, fetchTimeoutCapMs: 40 });
    const a = app();
    c.track([1, 2, 3, 4, 5].map((i) => target({ ...a, readinessChecks: [{ ...a.readinessChecks[0], path: `/p${i}` }] }, server.port, { instanceId: `i${i}`, taskId: `t${i}` })));
    await waitFor('every check polled', () => new Set(server.hits).size === 5);
    expect(server.open.max).toBeLessThanOrEqual(2);
  });

  it('stop() cancels every probe and timer', async () => {
    const slow = await serve(hang);
    const fast = await serve(answer(503));
    const c = new ReadinessChecker();
    c.track([target(app(), slow.port, { instanceId: 'slow' }), target(app(), fast.port, { instanceId: 'fast' })]);
    await waitFor('both polled', () => slow.open.now === 1 && fast.hits.length >= 1);
    c.stop();
    await waitFor('the hanging probe closed', () => slow.open.now === 0);
    expect(c.results('fast')).toEqual([]);
    c.track([target(app(), fast.port, { instanceId: 'fast' })]); // no-op once stopped

    const other = checker();
    const m = await metronome(other);
    const seen = fast.hits.length;
    await m.ticks(3);
    expect(fast.hits.length).toBe(seen);
  });
});
