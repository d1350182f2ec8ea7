import { mergeRanges, parseRanges, Resources, resourcesFromMessages, subtractRanges } from './resources';

describe('Resources', () => {
  it('adds, subtracts and compares with 3-decimal rounding', () => {
    const a = new Resources(1, 128, 0, 0, [31000, 31010]);
    const b = new Resources(0.1, 32, 0, 0, [31005, 31005]);
    const left = a.subtract(b);
    expect(left.cpus).toBe(0.9);
    expect(left.ports).toEqual([31000, 31004, 31006, 31010]);
    expect(a.contains(b)).toBe(true);
    expect(left.contains(b)).toBe(false);
    expect(left.add(b).ports).toEqual([31000, 31010]);
    expect(new Resources(0.3).contains(new Resources(0.1).add(new Resources(0.2)))).toBe(true);
  });

  it.each([
    ['merges adjacent ranges', mergeRanges([5, 6, 1, 2, 3, 4]), [1, 6]],
    ['subtracts from the middle', subtractRanges([1, 10], [4, 5]), [1, 3, 6, 10]],
    ['parses range text', parseRanges('[31000-31999, 33000-33001]'), [31000, 31999, 33000, 33001]],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('converts task resources and refuses what agents cannot offer', () => {
    const ok = resourcesFromMessages([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31001 }] } },
    ]);
    expect(ok).toBeInstanceOf(Resources);
    expect(typeof resourcesFromMessages([{ name: 'foo', type: 'SCALAR', scalar: { value: 1 } }])).toBe('string');
    expect(typeof resourcesFromMessages([{ name: 'cpus', type: 'SCALAR', scalar: { value: -1 } }])).toBe('string');
  });

  it('renders offer resources in the pre-refinement format with allocation_info', () => {
    expect(new Resources(1, 0, 0, 0, [1, 2]).toMessages('*')).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: '*', allocation_info: { role: '*' } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 1, end: 2 }] }, role: '*', allocation_info: { role: '*' } },
    ]);
  });
});
