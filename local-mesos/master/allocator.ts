// Offers as the hierarchical allocator makes them (reference §6): each cycle, one offer per agent
// holding all its free resources, to the framework with the smallest share; decline filters with the
// subset rule; SUPPRESS/REVIVE per role; no offer timeout.
import type { Agent } from '../agent/agent';
import type { EventMsg, OfferMsg } from '../codec/types';
import type { Framework } from './framework';
import type { Resources } from './resources';

export interface Offer {
  readonly id: string;
  readonly fw: Framework;
  readonly agent: Agent;
  readonly role: string;
  readonly res: Resources;
}

export interface AllocatorContext {
  frameworks(): Iterable<Framework>;
  agents(): Agent[];
  nextOfferId(): string;
  allocationMs: number;
  defaultRefuseSeconds: number;
}

const MAX_REFUSE_SECONDS = 365 * 24 * 3600;

export class Allocator {
  readonly offers = new Map<string, Offer>();
  private timer: NodeJS.Timeout | null = null;
  private triggered = false;
  /** Agents in this cycle's random order (reused: an idle cycle allocates nothing). */
  private readonly order: Agent[] = [];

  constructor(private readonly ctx: AllocatorContext) {}

  start(): void {
    this.timer = setInterval(() => this.allocate(), this.ctx.allocationMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Allocate soon (framework added/activated, agent added, REVIVE), coalescing bursts. */
  trigger(): void {
    if (this.triggered) return;
    this.triggered = true;
    setImmediate(() => {
      this.triggered = false;
      if (this.timer) this.allocate();
    });
  }

  allocate(now = Date.now()): void {
    const fws = [...this.ctx.frameworks()].filter((f) => f.connected && !f.removed);
    if (fws.length === 0) return;
    if (fws.length > 1) {
      const share = new Map(fws.map((f) => [f, f.allocatedCpus()]));
      fws.sort((a, b) => share.get(a)! - share.get(b)!);
    }
    const made = new Map<Framework, Offer[]>();
    for (const agent of this.shuffledAgents()) {
      if (!agent.active) continue;
      const free = agent.free();
      if (!free.isAllocatable()) continue;
      const pick = this.pickFramework(fws, agent, free, now);
      if (!pick) continue;
      const offer: Offer = { id: this.ctx.nextOfferId(), fw: pick.fw, agent, role: pick.role, res: free };
      this.offers.set(offer.id, offer);
      pick.fw.offers.add(offer);
      agent.offered = agent.offered.add(free);
      const list = made.get(pick.fw) ?? [];
      list.push(offer);
      made.set(pick.fw, list);
    }
    for (const [fw, list] of made) {
      const event: EventMsg = { type: 'OFFERS', offers: { offers: list.map(offerMessage) } };
      fw.send(event);
    }
  }

  private shuffledAgents(): Agent[] {
    const agents = this.ctx.agents();
    const a = this.order;
    a.length = agents.length;
    for (let i = 0; i < agents.length; i++) a[i] = agents[i];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  private pickFramework(fws: Framework[], agent: Agent, free: Resources, now: number): { fw: Framework; role: string } | null {
    for (const fw of fws) {
      for (const role of fw.roles) {
        if (fw.suppressed.has(role)) continue;
        const filter = fw.filters.get(filterKey(role, agent));
        if (filter) {
          if (filter.until <= now) fw.filters.delete(filterKey(role, agent));
          else if (filter.refused.contains(free)) continue;
        }
        return { fw, role };
      }
    }
    return null;
  }

  /** Removes an offer and gives its resources back to the agent (optionally sending RESCIND). */
  remove(offer: Offer, rescind: boolean): void {
    if (!this.offers.delete(offer.id)) return;
    offer.fw.offers.delete(offer);
    offer.agent.offered = offer.agent.offered.subtract(offer.res);
    if (rescind) offer.fw.send({ type: 'RESCIND', rescind: { offer_id: { value: offer.id } } });
  }

  /** Declined or left over after ACCEPT: install the refuse filter for that (framework, role, agent). */
  refuse(fw: Framework, role: string, agent: Agent, refused: Resources, refuseSeconds: number | undefined): void {
    let seconds = refuseSeconds ?? this.ctx.defaultRefuseSeconds;
    if (!Number.isFinite(seconds) && seconds > 0) seconds = MAX_REFUSE_SECONDS;
    if (Number.isNaN(seconds) || seconds < 0) seconds = this.ctx.defaultRefuseSeconds;
    if (seconds === 0 || refused.isEmpty()) return;
    const ms = Math.max(Math.min(seconds, MAX_REFUSE_SECONDS) * 1000, this.ctx.allocationMs);
    fw.filters.set(filterKey(role, agent), { refused: refused.clone(), until: Date.now() + ms });
  }

  /** REVIVE: unsuppress the roles and clear their filters (all roles when empty). */
  revive(fw: Framework, roles: string[]): void {
    const targets = roles.length > 0 ? roles : fw.roles;
    for (const role of targets) fw.suppressed.delete(role);
    for (const key of [...fw.filters.keys()]) if (targets.includes(key.split('\n')[0])) fw.filters.delete(key);
    this.trigger();
  }

  suppress(fw: Framework, roles: string[]): void {
    for (const role of roles.length > 0 ? roles : fw.roles) fw.suppressed.add(role);
  }

  /** Drops every offer of a framework (disconnect, failover, removal): resources return, no RESCIND. */
  discardAll(fw: Framework): void {
    for (const offer of [...fw.offers]) this.remove(offer, false);
  }

  /** An agent went away: rescind its offers. */
  rescindAgent(agent: Agent): void {
    for (const offer of [...this.offers.values()]) if (offer.agent === agent) this.remove(offer, true);
  }
}

export const filterKey = (role: string, agent: Agent): string => agent.filterKey(role);

export function offerMessage(offer: Offer): OfferMsg {
  const fw = offer.fw;
  const multiRole = fw.multiRole;
  const msg: OfferMsg = {
    id: { value: offer.id },
    framework_id: { value: fw.id },
    agent_id: { value: offer.agent.id },
    hostname: offer.agent.hostname,
    resources: offer.res.toMessages(multiRole ? offer.role : undefined, !fw.capabilities.has('RESERVATION_REFINEMENT')),
    url: offer.agent.url(),
  };
  const attributes = offer.agent.attributes();
  if (attributes.length > 0) msg.attributes = attributes;
  if (multiRole) msg.allocation_info = { role: offer.role };
  return msg;
}
