import { Logger } from '@nestjs/common';
import type { AppStore, FastCreate } from '../persistence/app-store';

/** Most creates one transaction carries: bounds the statement size and the wait of the last one. */
const MAX_BATCH = 64;

interface Pending {
  readonly create: FastCreate;
  readonly resolve: (written: boolean) => void;
}

/**
 * Application-level group commit for creates. Creates that arrive in the same event-loop turn are
 * written by one transaction (one round trip, one WAL flush) instead of one each; under load that
 * is most of them, alone a create waits one turn. Each create still succeeds or fails on its own:
 * the store reports per create whether its assumptions held. If the batch itself fails, every
 * create in it reports false and takes the general path, which answers it exactly.
 */
export class CreateBatcher {
  private readonly logger = new Logger('CreateBatcher');
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly store: AppStore,
    private readonly maxDeployments: () => number,
  ) {}

  /** Resolves true when written, false when the general path must handle it. Never rejects. */
  submit(create: FastCreate): Promise<boolean> {
    return new Promise((resolve) => {
      this.queue.push({ create, resolve });
      if (this.queue.length >= MAX_BATCH) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, MAX_BATCH);
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    this.store
      .transaction((tx) => tx.createIfFree(batch.map((p) => p.create), this.maxDeployments()))
      .then(
        (written) => batch.forEach((p, i) => p.resolve(written[i] === true)),
        (err: unknown) => {
          this.logger.warn(`create batch of ${batch.length} failed, each takes the general path: ${(err as Error).message}`);
          for (const p of batch) p.resolve(false);
        },
      );
  }
}
