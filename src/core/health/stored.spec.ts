import { checkSignature, storedResults } from './stored';

describe('checkSignature', () => {
  it.each([
    [{ protocol: 'HTTP', portIndex: 1, path: '/health' }, 'HTTP index 1 /health'],
    [{ protocol: 'HTTP', path: '/health' }, 'HTTP index 0 /health'],
    [{ protocol: 'TCP', port: 8080, portIndex: 0 }, 'TCP port 8080 '],
  ])('%j → %s', (check, sig) => {
    expect(checkSignature(check)).toBe(sig);
  });
});

describe('storedResults', () => {
  it("renders Marathon's healthCheckResults in check order", () => {
    expect(storedResults('a.instance-1', [
      { index: 2, state: { consecutiveFailures: 1, lastFailure: 3000, lastFailureCause: 'timeout' } },
      { index: 0, state: { firstSuccess: 1000, lastSuccess: 2000, consecutiveFailures: 0 } },
    ])).toEqual([
      { alive: true, consecutiveFailures: 0, firstSuccess: '1970-01-01T00:00:01.000Z', lastSuccess: '1970-01-01T00:00:02.000Z', lastFailure: null, lastFailureCause: null, instanceId: 'a.instance-1' },
      { alive: false, consecutiveFailures: 1, firstSuccess: null, lastSuccess: null, lastFailure: '1970-01-01T00:00:03.000Z', lastFailureCause: 'timeout', instanceId: 'a.instance-1' },
    ]);
  });
});
