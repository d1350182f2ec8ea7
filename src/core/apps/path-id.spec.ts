import fc from 'fast-check';
import { canonicalizeId, isValidAbsoluteId, parentId } from './index';

describe('canonicalizeId', () => {
  it.each([
    ['/a/b', undefined, '/a/b'],
    ['a/b', undefined, '/a/b'],
    ['b', '/a', '/a/b'],
    ['b', 'a', '/a/b'],
    ['./b', '/a', '/a/b'],
    ['../b', '/a/c', '/a/b'],
    ['../../..', '/a', '/'],
    ['/a/../b', '/x', '/b'],
    ['//a///b//', undefined, '/a/b'],
    ['', '/g', '/g'],
    ['/', undefined, '/'],
  ])('%j against %j is %j', (id, base, expected) => {
    expect(canonicalizeId(id, base)).toBe(expected);
  });

  const segment = fc.constantFrom('a', 'b', 'c1', '.', '..', '', 'x-y');
  const idArb = fc.tuple(fc.boolean(), fc.array(segment, { maxLength: 6 })).map(([abs, s]) => (abs ? '/' : '') + s.join('/'));

  it('is idempotent and always absolute without empty, . or .. segments', () => {
    fc.assert(fc.property(idArb, idArb, (id, base) => {
      const c = canonicalizeId(id, canonicalizeId(base));
      expect(canonicalizeId(c)).toBe(c);
      expect(canonicalizeId(c, '/elsewhere')).toBe(c);
      expect(c.startsWith('/')).toBe(true);
      expect(c.split('/').slice(1).filter((s) => s === '' || s === '.' || s === '..').length).toBe(c === '/' ? 1 : 0);
    }));
  });
});

describe('isValidAbsoluteId / parentId', () => {
  it.each([
    ['/a', true], ['/a/b-c/d.e', true], ['/a.b', true],
    ['a', false], ['/', false], ['/A', false], ['/a//b', false], ['/a/', false], ['/a/../b', false],
    ['/a/tasks', false], ['/a/restart', false], ['/versions', false], ['/-a', false], ['/a-', false], ['/a_b', false],
  ])('%j → %s', (id, valid) => {
    expect(isValidAbsoluteId(id)).toBe(valid);
  });

  it.each([['/a/b/c', '/a/b'], ['/a', '/'], ['/', '/'], ['//a//b', '/a']])('parentId(%j) = %j', (id, p) => {
    expect(parentId(id)).toBe(p);
  });
});
