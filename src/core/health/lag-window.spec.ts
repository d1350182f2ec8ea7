import { LagWindow } from './lag-window';

describe('LagWindow', () => {
  it('nearest-rank quantile over samples since a time', () => {
    const w = new LagWindow(1000);
    for (let i = 1; i <= 200; i++) w.record(i, i); // lag i ms at time i
    expect(w.quantile(0.99, 0)).toBe(198);
    expect(w.quantile(0.5, 0)).toBe(100);
    expect(w.quantile(1, 0)).toBe(200);
    expect(w.quantile(0.99, 101)).toBe(199); // 100 samples 101..200 → rank 99
    expect(w.quantile(0.99, 1e9)).toBe(0);
  });

  it('keeps only the latest `capacity` samples', () => {
    const w = new LagWindow(4);
    for (const lag of [5000, 5000, 1, 2, 3, 4]) w.record(0, lag);
    expect(w.quantile(1, 0)).toBe(4);
    w.clear();
    expect(w.quantile(1, 0)).toBe(0);
  });
});
