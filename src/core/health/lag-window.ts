/**
 * Recent probe lag (ranAt − dueAt) for the circuit breaker's "prober behind schedule" condition.
 * A fixed ring of samples (no allocation per sample: up to ~1,000 results/s arrive); the quantile is
 * computed over the samples not older than `since`. No clock: times are parameters.
 */
export class LagWindow {
  private readonly at: Float64Array;
  private readonly lag: Float64Array;
  private next = 0;
  private size = 0;

  constructor(readonly capacity = 8192) {
    this.at = new Float64Array(capacity);
    this.lag = new Float64Array(capacity);
  }

  record(at: number, lagMs: number): void {
    this.at[this.next] = at;
    this.lag[this.next] = lagMs;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /**
   * Nearest-rank quantile of the samples recorded at or after `since` (0 when there are none):
   * sorted[ceil(q × n) − 1]. Example: 200 samples, q 0.99 → index ceil(198) − 1 = 197, the third largest.
   */
  quantile(q: number, since: number): number {
    const picked: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.at[i] >= since) picked.push(this.lag[i]);
    if (picked.length === 0) return 0;
    picked.sort((a, b) => a - b);
    const rank = Math.min(picked.length, Math.max(1, Math.ceil(q * picked.length - 1e-9)));
    return picked[rank - 1];
  }

  clear(): void {
    this.next = 0;
    this.size = 0;
  }
}
