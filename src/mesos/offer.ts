import type { Attribute as CoreAttribute, Offer as CoreOffer, OfferResource } from '../core/matching';
import type { Attribute, Offer, Resource } from './types';

/**
 * A Mesos offer (driver shape) → the matcher's plain offer. A resource's role is its reservation
 * role (the last of `reservations`, else the legacy `role`), '*' when unreserved (reference §4.2).
 */
export function toCoreOffer(offer: Offer): CoreOffer {
  const resources: OfferResource[] = [];
  for (const r of offer.resources ?? []) {
    const c = toCoreResource(r);
    if (c !== undefined) resources.push(c);
  }
  return {
    id: offer.id.value,
    agentId: offer.agent_id.value,
    hostname: offer.hostname,
    attributes: (offer.attributes ?? []).map(toCoreAttribute),
    resources,
  };
}

function roleOf(r: Resource): string {
  const reservations = r.reservations;
  if (reservations !== undefined && reservations.length > 0) {
    const role = reservations[reservations.length - 1].role;
    if (typeof role === 'string' && role.length > 0) return role;
  }
  return r.role !== undefined && r.role.length > 0 ? r.role : '*';
}

function toCoreResource(r: Resource): OfferResource | undefined {
  const role = roleOf(r);
  switch (r.type) {
    case 'SCALAR':
      return { name: r.name, role, scalar: r.scalar?.value ?? 0 };
    case 'RANGES':
      return { name: r.name, role, ranges: (r.ranges?.range ?? []).map((x) => ({ begin: Number(x.begin), end: Number(x.end) })) };
    case 'SET':
      return { name: r.name, role, set: r.set?.item ?? [] };
    default:
      return undefined;
  }
}

function toCoreAttribute(a: Attribute): CoreAttribute {
  switch (a.type) {
    case 'SCALAR':
      return { name: a.name, scalar: a.scalar?.value ?? 0 };
    case 'RANGES':
      return { name: a.name, ranges: (a.ranges?.range ?? []).map((x) => ({ begin: Number(x.begin), end: Number(x.end) })) };
    case 'SET':
      return { name: a.name, set: a.set?.item ?? [] };
    default:
      return { name: a.name, text: a.text?.value ?? '' };
  }
}
