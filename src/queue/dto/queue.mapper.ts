import type { QueueEntry, RejectSummary, UnusedOffer } from '../../scheduler/scheduler-control';

/**
 * Marathon's QueueItem (reference §1.6) with exactly its keys: no `role` (clients reject it), Pacer's
 * offer statistics inside Marathon's own `processedOffersSummary` and `lastUnusedOffers`.
 *
 *   {"app": <AppDefinition>, "count": 2, "delay": {"timeLeftSeconds": 0, "overdue": true},
 *    "since": "...", "processedOffersSummary": {...}, "lastUnusedOffers": [...]}   (the last on embed only)
 *
 * `appJson` is the app's current stored definition text, spliced in without a parse.
 */
export function queueItemJson(entry: QueueEntry, appJson: string, withLastUnusedOffers: boolean): string {
  const rejects = entry.rejectSummaryLastOffers.map(rejectSummary);
  const rest = {
    count: entry.count,
    delay: { timeLeftSeconds: Math.max(0, Math.ceil(entry.timeLeftSeconds)), overdue: entry.overdue },
    since: entry.since,
    processedOffersSummary: {
      processedOffersCount: entry.processedOffersCount,
      unusedOffersCount: entry.unusedOffersCount,
      ...(entry.lastUnusedOfferAt !== undefined ? { lastUnusedOfferAt: entry.lastUnusedOfferAt } : {}),
      ...(entry.lastUsedOfferAt !== undefined ? { lastUsedOfferAt: entry.lastUsedOfferAt } : {}),
      rejectSummaryLastOffers: rejects,
      // Marathon counts launch attempts separately; Pacer's matcher decides per offer, so the
      // attempts are the offers.
      rejectSummaryLaunchAttempt: rejects,
    },
    ...(withLastUnusedOffers ? { lastUnusedOffers: entry.lastUnusedOffers.map(unusedOffer) } : {}),
  };
  return `{"app":${appJson},${JSON.stringify(rest).slice(1)}`;
}

function rejectSummary(r: RejectSummary): RejectSummary {
  return { reason: r.reason, declined: r.declined, processed: r.processed };
}

function unusedOffer(u: UnusedOffer): UnusedOffer {
  const o = u.offer;
  return {
    offer: {
      id: o.id,
      agentId: o.agentId,
      hostname: o.hostname,
      resources: o.resources.map((r) => ({
        name: r.name,
        role: r.role,
        ...(r.scalar !== undefined ? { scalar: r.scalar } : {}),
        ...(r.ranges !== undefined ? { ranges: r.ranges.map((x) => ({ begin: x.begin, end: x.end })) } : {}),
      })),
      attributes: o.attributes.map((a) => ({
        name: a.name,
        ...(a.text !== undefined ? { text: a.text } : {}),
        ...(a.scalar !== undefined ? { scalar: a.scalar } : {}),
      })),
    },
    timestamp: u.timestamp,
    reason: [...u.reason],
  };
}
