import type { AppDefinition } from '../apps/types';
import { nextMillisecond, stampVersion } from './versioning';

const base = { id: '/a', instances: 1 } as unknown as AppDefinition;

describe('stampVersion', () => {
  it('a new app gets now for all three stamps', () => {
    const out = stampVersion(undefined, base, '2020-01-01T10:00:00.000Z', false);
    expect([out.version, out.versionInfo]).toEqual(['2020-01-01T10:00:00.000Z', { lastScalingAt: '2020-01-01T10:00:00.000Z', lastConfigChangeAt: '2020-01-01T10:00:00.000Z' }]);
  });

  it('a scale keeps lastConfigChangeAt; a config change moves it', () => {
    const v1 = stampVersion(undefined, base, '2020-01-01T10:00:00.000Z', false);
    const v2 = stampVersion(v1, { ...v1, instances: 3 }, '2020-01-01T10:05:00.000Z', false);
    expect(v2.versionInfo).toEqual({ lastScalingAt: '2020-01-01T10:05:00.000Z', lastConfigChangeAt: '2020-01-01T10:00:00.000Z' });
    const v3 = stampVersion(v2, v2, '2020-01-01T10:07:00.000Z', true);
    expect(v3.versionInfo).toEqual({ lastScalingAt: '2020-01-01T10:07:00.000Z', lastConfigChangeAt: '2020-01-01T10:07:00.000Z' });
  });

  it('never reuses or goes below the previous version', () => {
    const v1 = stampVersion(undefined, base, '2020-01-01T10:00:00.999Z', false);
    expect(stampVersion(v1, v1, '2020-01-01T10:00:00.999Z', true).version).toBe('2020-01-01T10:00:01.000Z');
    expect(stampVersion(v1, v1, '2019-12-31T00:00:00.000Z', true).version).toBe('2020-01-01T10:00:01.000Z');
    expect(nextMillisecond('2020-12-31T23:59:59.999Z')).toBe('2021-01-01T00:00:00.000Z');
  });

  it('a rollback keeps the configuration version of the definition it restores', () => {
    const v1 = stampVersion(undefined, base, '2020-01-01T10:00:00.000Z', false);
    const v2 = stampVersion(v1, v1, '2020-01-01T10:07:00.000Z', true);
    const back = stampVersion(v2, v1, '2020-01-01T10:08:00.000Z', true, v1.versionInfo?.lastConfigChangeAt);
    expect(back.version).toBe('2020-01-01T10:08:00.000Z');
    expect(back.versionInfo).toEqual({ lastScalingAt: '2020-01-01T10:08:00.000Z', lastConfigChangeAt: '2020-01-01T10:00:00.000Z' });
  });
});
