import type { Offer as CoreOffer, NoMatchReason } from '../core/matching';
import type { RejectSummary, UnusedOffer } from './scheduler-control';

/** Offers remembered per app for `/v2/queue` (Marathon keeps a similar bounded window). */
const WINDOW = 50;
const LAST_UNUSED = 10;

interface AppOfferStats {
  processed: number;
  unused: number;
  lastUnusedAt?: number;
  lastUsedAt?: number;
  /** reasons of the last WINDOW offers that did not fit (ring) */
  window: (readonly NoMatchReason[])[];
  windowProcessed: number;
  lastUnused: UnusedOffer[];
  /** per agent: did its last offer fail the app's constraints (bounded by the number of agents) */
  constraintByAgent: Map<string, boolean>;
}

/**
 * Why waiting apps are still waiting: per app, how many offers were looked at, how many did not fit
 * and for which reasons (Marathon's NoOfferMatchReason names), over a bounded window. Memory is
 * bounded per waiting app; an app's entry is dropped when it stops waiting.
 */
export class OfferStats {
  private readonly apps = new Map<string, AppOfferStats>();

  private of(appId: string): AppOfferStats {
    let s = this.apps.get(appId);
    if (s === undefined) {
      s = { processed: 0, unused: 0, window: [], windowProcessed: 0, lastUnused: [], constraintByAgent: new Map() };
      this.apps.set(appId, s);
    }
    return s;
  }

  used(appId: string, nowMs: number, agentId?: string): void {
    const s = this.of(appId);
    if (agentId !== undefined) s.constraintByAgent.set(agentId, false);
    s.processed++;
    s.lastUsedAt = nowMs;
    s.windowProcessed = Math.min(WINDOW, s.windowProcessed + 1);
  }

  unused(appId: string, offer: CoreOffer, reasons: readonly NoMatchReason[], nowMs: number): void {
    const s = this.of(appId);
    s.processed++;
    s.unused++;
    s.lastUnusedAt = nowMs;
    s.constraintByAgent.set(offer.agentId, reasons.includes('UnfulfilledConstraint'));
    s.window.push(reasons);
    if (s.window.length > WINDOW) s.window.shift();
    s.windowProcessed = Math.min(WINDOW, s.windowProcessed + 1);
    s.lastUnused.push({
      offer: {
        id: offer.id,
        agentId: offer.agentId,
        hostname: offer.hostname,
        resources: offer.resources.map((r) => ({ name: r.name, role: r.role, ...(r.scalar !== undefined ? { scalar: r.scalar } : {}), ...(r.ranges !== undefined ? { ranges: r.ranges } : {}) })),
        attributes: offer.attributes.map((a) => ({ name: a.name, ...(a.text !== undefined ? { text: a.text } : {}), ...(a.scalar !== undefined ? { scalar: a.scalar } : {}) })),
      },
      timestamp: new Date(nowMs).toISOString(),
      reason: [...reasons],
    });
    if (s.lastUnused.length > LAST_UNUSED) s.lastUnused.shift();
  }

  /** Agents whose last offer the app's constraints ruled out. */
  agentsRuledOut(appId: string): number {
    let n = 0;
    for (const v of this.apps.get(appId)?.constraintByAgent.values() ?? []) if (v) n++;
    return n;
  }

  forget(appId: string): void {
    this.apps.delete(appId);
  }

  summary(appId: string): {
    processedOffersCount: number;
    unusedOffersCount: number;
    lastUnusedOfferAt?: string;
    lastUsedOfferAt?: string;
    rejectSummaryLastOffers: RejectSummary[];
    lastUnusedOffers: UnusedOffer[];
  } {
    const s = this.apps.get(appId);
    if (s === undefined) return { processedOffersCount: 0, unusedOffersCount: 0, rejectSummaryLastOffers: [], lastUnusedOffers: [] };
    const counts = new Map<string, number>();
    for (const reasons of s.window) for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const rejectSummaryLastOffers = [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([reason, declined]) => ({ reason, declined, processed: s.windowProcessed }));
    return {
      processedOffersCount: s.processed,
      unusedOffersCount: s.unused,
      ...(s.lastUnusedAt !== undefined ? { lastUnusedOfferAt: new Date(s.lastUnusedAt).toISOString() } : {}),
      ...(s.lastUsedAt !== undefined ? { lastUsedOfferAt: new Date(s.lastUsedAt).toISOString() } : {}),
      rejectSummaryLastOffers,
      lastUnusedOffers: [...s.lastUnused],
    };
  }
}
