import { Logger } from '@nestjs/common';
import { DomainErrorCode } from '../core/errors';
import { assertTerm, beginFenced, FencedError, type TermQueryable } from './fencing';
import { requireScheduler, schedulerUnavailable } from './leader-required';
import { Leadership, StandaloneLeadership } from './leadership';
import type { TermStore } from './term-store';

class MemoryTerms implements TermStore {
  term = 0;
  gate: Promise<void> | undefined;
  available(): boolean {
    return true;
  }
  async next(): Promise<number> {
    if (this.gate) await this.gate;
    return ++this.term;
  }
  async current(): Promise<number> {
    return this.term;
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

// The leadership log lines (and the failing listeners' errors, on purpose) would clutter the output.
beforeAll(() => Logger.overrideLogger(false));
afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

describe('StandaloneLeadership', () => {
  it('is the leader from the start, takes a term at start and tells listeners registered before', async () => {
    const terms = new MemoryTerms();
    terms.term = 41;
    const l = new StandaloneLeadership('pacer-1:8080', terms);
    const seen: Array<[boolean, number | undefined]> = [];
    l.onChange((leading) => {
      seen.push([leading, l.term()]);
    });
    expect(l.isLeader()).toBe(true); // exactly as before: always leader
    expect(l.leaderAddress()).toBe('pacer-1:8080');
    await l.onApplicationBootstrap();
    expect(l.term()).toBe(42);
    expect(seen).toEqual([[true, 42]]);
    await l.onApplicationShutdown();
    expect(seen).toEqual([[true, 42], [false, undefined]]);
    expect(l.isLeader()).toBe(false);
  });

  it('without a database: leader, no term', async () => {
    const l = new StandaloneLeadership('pacer-1:8080', undefined);
    await l.start();
    expect(l.isLeader()).toBe(true);
    expect(l.term()).toBeUndefined();
  });

  it('abdicate: false at once (synchronously), then true with a new term once the stop handlers settled', async () => {
    const terms = new MemoryTerms();
    const l = new StandaloneLeadership('pacer-1:8080', terms);
    await l.start();
    const stopped = deferred();
    const log: string[] = [];
    l.onChange((leading) => {
      log.push(`${leading ? 'start' : 'stop'}:${String(l.term())}`);
      if (!leading) return stopped.promise.then(() => void log.push('stop done'));
    });
    const done = l.abdicate();
    // Synchronous: the loss was delivered before abdicate() returned its promise.
    expect(log).toEqual(['stop:undefined']);
    expect(l.isLeader()).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['stop:undefined']); // the new term waits for the stop handler
    stopped.resolve();
    await done;
    expect(log).toEqual(['stop:undefined', 'stop done', 'start:2']);
    expect(l.isLeader()).toBe(true);
    expect(l.term()).toBe(2);
  });

  it('a failing listener does not stop the others', async () => {
    const l = new StandaloneLeadership('a:1', new MemoryTerms());
    const seen: boolean[] = [];
    l.onChange(() => {
      throw new Error('boom');
    });
    l.onChange(() => Promise.reject(new Error('async boom')));
    const off = l.onChange((leading) => void seen.push(leading));
    await l.start();
    await l.abdicate();
    off();
    await l.abdicate();
    expect(seen).toEqual([true, false, true]);
  });

  it('fails the start loudly when no term can be taken', async () => {
    const terms = new MemoryTerms();
    terms.next = () => Promise.reject(new Error('relation "leader_term" does not exist'));
    await expect(new StandaloneLeadership('a:1', terms).start()).rejects.toThrow(/migrations applied/);
  });
});

describe('schedulerUnavailable (503 naming the leader)', () => {
  function fake(leading: boolean, leader: string | undefined): Leadership {
    return { isLeader: () => leading, leaderAddress: () => leader } as unknown as Leadership;
  }

  it('names the leader when another replica leads', () => {
    const e = schedulerUnavailable(fake(false, 'pacer-2:8080'));
    expect(e.code).toBe(DomainErrorCode.UNAVAILABLE);
    expect(e.message).toMatch(/leader pacer-2:8080/);
    expect(e.extra).toEqual({ leader: 'pacer-2:8080' });
  });

  it('says there is no leader, or that this leader is still starting', () => {
    expect(schedulerUnavailable(fake(false, undefined)).message).toMatch(/There is no leader/);
    expect(schedulerUnavailable(fake(true, 'me:1')).message).toMatch(/is the leader but its scheduler is not running/);
  });

  it('requireScheduler passes when the scheduler is active', () => {
    const control = { isActive: () => true } as never;
    expect(() => requireScheduler(control, fake(false, undefined))).not.toThrow();
    expect(() => requireScheduler({ isActive: () => false } as never, fake(false, undefined))).toThrow(/There is no leader/);
  });
});

describe('fencing checks', () => {
  function client(term: string | undefined): TermQueryable & { sent: unknown[] } {
    const sent: unknown[] = [];
    const rows = term === undefined ? [] : [{ term }];
    return {
      sent,
      query: (async (q: unknown) => {
        sent.push(q);
        return typeof q === 'string' ? [{ rows: [] }, { rows }] : { rows };
      }) as TermQueryable['query'],
    };
  }

  it('assertTerm: passes on the current term (bigint as string), FencedError otherwise', async () => {
    await expect(assertTerm(client('7'), 7)).resolves.toBeUndefined();
    await expect(assertTerm(client('8'), 7)).rejects.toMatchObject({ name: 'FencedError', expected: 7, current: 8 });
    await expect(assertTerm(client(undefined), 7)).rejects.toBeInstanceOf(FencedError);
    await expect(assertTerm(client('7'), Number.NaN)).rejects.toThrow(/invalid leadership term/);
  });

  it('beginFenced: BEGIN and the check in one message', async () => {
    const c = client('3');
    await beginFenced(c, 3);
    expect(c.sent).toEqual(['BEGIN; SELECT term FROM leader_term WHERE id = 1 FOR SHARE']);
    await expect(beginFenced(client('4'), 3)).rejects.toBeInstanceOf(FencedError);
  });
});
