import { Leadership } from './leadership';
import type { TermStore } from './term-store';
import { parseZkUrl, ZkElection, type ElectionStats } from './zk-election';

export interface ZkLeadershipOptions {
  /** ZK_URL: zk://[user:password@]host:port[,host:port]/path (candidates under <path>/leader) */
  readonly zkUrl: string;
  /** this replica's advertised host:port (our candidate znode's data) */
  readonly address: string;
  readonly sessionTimeoutMs?: number;
  readonly opTimeoutMs?: number;
  readonly connectionLossBoundMs?: number;
  /** bound on taking a term in Postgres */
  readonly termTimeoutMs?: number;
  /** longest `ready()` waits for the first election round (ZooKeeper down at start) */
  readonly readyTimeoutMs?: number;
  /** delay before standing again after a failed term increment */
  readonly retryDelayMs?: number;
}

/**
 * Leadership elected through ZooKeeper (zk-election.ts), fenced by a term in Postgres.
 *
 * On winning (our znode is the lowest): take a term (`UPDATE leader_term SET term = term + 1
 * RETURNING term`), then `confirm()` the win with a linearizable ZooKeeper check, and only then
 * lead: `isLeader()` true, `term()` set, `onChange(true)`. If the win was lost meanwhile, the term
 * is burnt (terms only ever grow; nothing was written with it). If the term cannot be taken
 * (Postgres down, timeout) we resign, so a replica that can reach Postgres takes over.
 *
 * A known edge: an increment that lands after a newer leader took its term (this replica paused
 * for longer than the session timeout between winning and incrementing) fences that newer leader
 * too. It is safe (nobody writes with a stale term) and heals: the fenced leader's writes fail with
 * FencedError, it abdicates, and the next win takes a fresh term.
 *
 * Without a database (`terms` unavailable) this replica never stands; it only follows who leads.
 */
export class ZkLeadership extends Leadership {
  private readonly election: ZkElection;
  private current: { term: number; win: number } | undefined;
  private started = false;
  private readonly readyPromise: Promise<void>;
  private markReady: () => void = () => undefined;
  private readyTimer: NodeJS.Timeout | undefined;
  private winning = 0;

  constructor(
    private readonly options: ZkLeadershipOptions,
    private readonly terms: TermStore | undefined,
  ) {
    super();
    this.readyPromise = new Promise<void>((resolve) => {
      this.markReady = () => {
        clearTimeout(this.readyTimer);
        resolve();
      };
    });
    const log = { info: (m: string) => this.logger.log(m), warn: (m: string) => this.logger.warn(m) };
    this.election = new ZkElection(
      {
        target: parseZkUrl(options.zkUrl),
        id: options.address,
        candidate: terms !== undefined,
        sessionTimeoutMs: options.sessionTimeoutMs,
        opTimeoutMs: options.opTimeoutMs,
        connectionLossBoundMs: options.connectionLossBoundMs,
        retryDelayMs: options.retryDelayMs,
        log,
      },
      {
        elected: (win) => void this.takeTerm(win),
        lost: () => this.lost(),
        evaluated: () => {
          // Ready once the first round is done and, if it won, the term is taken (or failed).
          if (this.winning === 0) this.markReady();
        },
      },
    );
  }

  isLeader(): boolean {
    return this.current !== undefined;
  }

  leaderAddress(): string | undefined {
    return this.election.leaderAddress();
  }

  term(): number | undefined {
    return this.current?.term;
  }

  /** The election's counters (tests: predecessor wakeups). */
  stats(): Readonly<ElectionStats> {
    return this.election.stats;
  }

  /** The election itself (tests: candidate znode, raw client). */
  get zk(): ZkElection {
    return this.election;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (!this.terms) this.logger.warn('no database: this replica follows the election but never stands');
    this.readyTimer = setTimeout(() => {
      this.logger.warn('the first leader election round is not done yet (ZooKeeper unreachable?): going on, leadership will follow');
      this.markReady();
    }, this.options.readyTimeoutMs ?? (this.options.sessionTimeoutMs ?? 10_000));
    this.readyTimer.unref();
    this.election.start();
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  async abdicate(): Promise<void> {
    if (!this.started) return;
    await this.election.resign('abdicated');
  }

  async stop(): Promise<void> {
    clearTimeout(this.readyTimer);
    this.markReady();
    await this.election.stop();
  }

  private async takeTerm(win: number): Promise<void> {
    const terms = this.terms;
    if (!terms) return;
    this.winning = win;
    try {
      let term: number;
      try {
        term = await terms.next(this.options.address, this.options.termTimeoutMs ?? 5000);
      } catch (e) {
        if (!this.election.isElected(win)) return;
        this.logger.error(`elected, but no leadership term could be taken (${(e as Error).message}): standing again`);
        await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 500).unref());
        if (this.election.isElected(win)) await this.election.resign('no leadership term');
        return;
      }
      if (!(await this.election.confirm(win))) {
        this.logger.warn(`term ${term} taken, but the election was lost meanwhile: not leading`);
        return;
      }
      this.current = { term, win };
      this.logger.log(`leading, term ${term}`);
      await this.notifyGained(() => this.current?.win === win && this.election.isElected(win));
    } finally {
      if (this.winning === win) {
        this.winning = 0;
        this.markReady();
      }
    }
  }

  /** Synchronous, from the election's loss event. */
  private lost(): void {
    if (!this.current) return;
    this.current = undefined;
    this.notifyLost();
  }
}
