import { DomainError, DomainErrorCode } from '../errors';
import { matchesLabelSelector, parseLabelSelector } from './index';

describe('parseLabelSelector', () => {
  it.each([
    ['a', [{ key: 'a', op: 'exists', values: [] }]],
    ['env==prod', [{ key: 'env', op: '==', values: ['prod'] }]],
    ['tier != frontend', [{ key: 'tier', op: '!=', values: ['frontend'] }]],
    ['env in (stage, prod)', [{ key: 'env', op: 'in', values: ['stage', 'prod'] }]],
    ['tier notin (a,b),x', [{ key: 'tier', op: 'notin', values: ['a', 'b'] }, { key: 'x', op: 'exists', values: [] }]],
    ['path==\\/v1\\/x', [{ key: 'path', op: '==', values: ['/v1/x'] }]],
    ['a\\ b==c\\,d', [{ key: 'a b', op: '==', values: ['c,d'] }]],
    ['in==notin', [{ key: 'in', op: '==', values: ['notin'] }]],
  ])('%j', (s, expected) => {
    expect(parseLabelSelector(s)).toEqual(expected);
  });

  it.each(['', ' ', 'a==', '==b', 'a in b', 'a in (b', 'a in ()', 'a b', 'a,', 'a==b/c', 'a=b', 'a\\'])('rejects %j with a 400', (s) => {
    let err: unknown;
    try {
      parseLabelSelector(s);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe(DomainErrorCode.BAD_REQUEST);
    expect((err as DomainError).message).toContain('Invalid label selector');
  });
});

describe('matchesLabelSelector', () => {
  const labels = { env: 'prod', tier: 'web', 'a b': 'c,d' };
  it.each([
    ['env', true], ['missing', false], ['env==prod', true], ['env==dev', false], ['env!=dev', true], ['env!=prod', false],
    ['missing!=x', false], ['env in (dev,prod)', true], ['env in (dev)', false], ['env notin (dev)', true],
    ['env notin (prod)', false], ['missing notin (x)', false], ['env==prod,tier==web', true], ['env==prod,tier==db', false],
    ['a\\ b==c\\,d', true],
  ])('%j → %s', (s, expected) => {
    expect(matchesLabelSelector(parseLabelSelector(s), labels)).toBe(expected);
  });
});
