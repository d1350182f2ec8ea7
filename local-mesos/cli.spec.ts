import { parseArgs, parseAttributes, parseDuration } from './cli';
import { accepts, validateCall } from './http/scheduler-endpoint';
import { validateFrameworkInfo } from './master/master';
import { resolveSettings } from './settings';

describe('CLI', () => {
  it('parses flags into options', () => {
    const { options } = parseArgs(['--agents', '5', '--port', '0', '--cpus', '2', '--attributes', 'rack:r1;gen:3', '--heartbeat-interval', '500ms', '--leader', 'm2:5050', '--simulate', '--failure-share', '0.1']);
    expect(options).toMatchObject({
      agents: 5, port: 0, heartbeatIntervalSeconds: 0.5, simulate: true, simulateFailureShare: 0.1,
      mode: { kind: 'redirect', leader: 'm2:5050' }, agentDefaults: { cpus: 2, attributes: { rack: 'r1', gen: 3 } },
    });
    expect(() => parseArgs(['--nope'])).toThrow(/Unknown flag/);
  });

  it.each([
    ['15s', 15],
    ['500ms', 0.5],
    ['2m', 120],
    ['3', 3],
  ])('parses duration %s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it('parses attributes', () => expect(parseAttributes('a:b; n:1.5')).toEqual({ a: 'b', n: 1.5 }));

  it('gives every agent a distinct loopback hostname and port block by default', () => {
    const s = resolveSettings({ agents: 3 });
    expect(s.agentSpecs.map((a) => [a.hostname, a.ports])).toEqual([
      ['127.0.0.1', [31000, 31999]],
      ['127.0.0.2', [32000, 32999]],
      ['127.0.0.3', [33000, 33999]],
    ]);
  });
});

describe('scheduler call validation', () => {
  it.each([
    ['no type', {}, "Expecting 'type' to be present"],
    ['no sub-message', { type: 'KILL', framework_id: { value: 'f' } }, "Expecting 'kill' to be present"],
    ['no framework id', { type: 'REVIVE' }, "Expecting 'framework_id' to be present"],
    ['TEARDOWN needs nothing else', { type: 'TEARDOWN', framework_id: { value: 'f' } }, null],
  ])('%s', (_name, call, expected) => expect(validateCall(call)).toBe(expected));

  it.each([
    [undefined, 'application/json', true],
    ['application/x-protobuf', 'application/json', false],
    ['application/*', 'application/x-protobuf', true],
    ['*/*;q=0', 'application/json', false],
    ['text/html, application/json;q=0.5', 'application/json', true],
  ])('Accept %s allows %s: %s', (header, type, ok) => expect(accepts(header, type)).toBe(ok));

  it('validates framework roles and failover_timeout', () => {
    const base = { user: 'u', name: 'n' };
    expect(validateFrameworkInfo(base, [])).toBeNull();
    expect(validateFrameworkInfo({ ...base, roles: ['a'] }, [])).toMatch(/MULTI_ROLE/);
    expect(validateFrameworkInfo({ ...base, capabilities: [{ type: 'MULTI_ROLE' }], roles: ['a', 'a'] }, [])).toMatch(/duplicate/);
    expect(validateFrameworkInfo({ ...base, failover_timeout: -1 }, [])).toMatch(/failover_timeout/);
    expect(validateFrameworkInfo(base, ['other'])).toMatch(/Suppressed role/);
  });
});
