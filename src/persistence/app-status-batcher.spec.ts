import type { AppTaskStatus, InstanceStore } from './instance-store';
import { AppStatusBatcher } from './app-status-batcher';

/** A store that answers each asked id with an empty status, recording the batches. */
function fakeStore(fail = false): { store: InstanceStore; calls: string[][] } {
  const calls: string[][] = [];
  const store = {
    appStatuses: async (ids: readonly string[]): Promise<Map<string, AppTaskStatus>> => {
      calls.push([...ids]);
      if (fail) throw new Error('db down');
      return new Map(ids.map((id) => [id, { tasks: [] }]));
    },
  } as unknown as InstanceStore;
  return { store, calls };
}

describe('AppStatusBatcher', () => {
  it('reads of one event-loop turn share one statement; reads of one app share its answer', async () => {
    const { store, calls } = fakeStore();
    const b = new AppStatusBatcher(store);
    const answers = await Promise.all([b.get('/a'), b.get('/b'), b.get('/a')]);
    expect(calls).toEqual([['/a', '/b']]);
    expect(answers[0]).toBe(answers[2]);
    await b.get('/c');
    expect(calls).toEqual([['/a', '/b'], ['/c']]);
  });

  it('a failed statement fails every read of its batch', async () => {
    const b = new AppStatusBatcher(fakeStore(true).store);
    await expect(Promise.all([b.get('/a'), b.get('/b')])).rejects.toThrow('db down');
  });

  it('a full batch goes at once, the rest in the next one', async () => {
    const { store, calls } = fakeStore();
    const b = new AppStatusBatcher(store);
    await Promise.all(Array.from({ length: 300 }, (_, i) => b.get(`/app-${i}`)));
    expect(calls.map((c) => c.length)).toEqual([256, 44]);
  });
});
