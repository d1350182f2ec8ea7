import type { QueueEntry } from '../../scheduler/scheduler-control';
import { queueItemJson } from './queue.mapper';

const entry: QueueEntry = {
  appId: '/web', appVersion: '2026-01-01T00:00:00.000Z', count: 2, since: '2026-01-01T00:00:05.000Z', timeLeftSeconds: 3.2, overdue: false,
  processedOffersCount: 10, unusedOffersCount: 7, lastUnusedOfferAt: '2026-01-01T00:00:09.000Z',
  rejectSummaryLastOffers: [{ reason: 'InsufficientMemory', declined: 7, processed: 10 }],
  lastUnusedOffers: [{
    offer: {
      id: 'o1', agentId: 'a1', hostname: 'node-1',
      resources: [{ name: 'cpus', role: '*', scalar: 1 }, { name: 'ports', role: '*', ranges: [{ begin: 31000, end: 31009 }] }],
      attributes: [{ name: 'rack', text: 'r1' }],
    },
    timestamp: '2026-01-01T00:00:09.000Z', reason: ['InsufficientMemory'],
  }],
};

describe('queueItemJson', () => {
  const app = '{"id":"/web","cmd":"sleep 1","instances":2}';

  it("splices the app text in and writes Marathon's QueueItem keys (no role)", () => {
    const item = JSON.parse(queueItemJson(entry, app, false));
    expect(Object.keys(item)).toEqual(['app', 'count', 'delay', 'since', 'processedOffersSummary']);
    expect(item).toEqual({
      app: { id: '/web', cmd: 'sleep 1', instances: 2 },
      count: 2,
      delay: { timeLeftSeconds: 4, overdue: false },
      since: '2026-01-01T00:00:05.000Z',
      processedOffersSummary: {
        processedOffersCount: 10, unusedOffersCount: 7, lastUnusedOfferAt: '2026-01-01T00:00:09.000Z',
        rejectSummaryLastOffers: [{ reason: 'InsufficientMemory', declined: 7, processed: 10 }],
        rejectSummaryLaunchAttempt: [{ reason: 'InsufficientMemory', declined: 7, processed: 10 }],
      },
    });
  });

  it('lastUnusedOffers only on embed, with the offer shape of Marathon', () => {
    const item = JSON.parse(queueItemJson(entry, app, true));
    expect(item.lastUnusedOffers).toEqual(entry.lastUnusedOffers);
  });

  it.each<[number, boolean, number]>([
    [0, true, 0],
    [-1, true, 0],
    [0.1, false, 1],
    [12, false, 12],
  ])('delay %d s left → timeLeftSeconds %d', (left, overdue, shown) => {
    expect(JSON.parse(queueItemJson({ ...entry, timeLeftSeconds: left, overdue }, app, false)).delay).toEqual({ timeLeftSeconds: shown, overdue });
  });
});
