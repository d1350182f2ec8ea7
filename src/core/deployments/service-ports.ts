import type { AppDefinition } from '../apps/types';

/** One service-port slot of an app: where it sits in the JSON (for 422 paths) and its value (0 = assign). */
export interface ServicePortSlot {
  readonly path: string;
  readonly port: number;
}

/**
 * Service ports live in `portDefinitions[i].port` (host networking) or
 * `container.portMappings[i].servicePort` (bridge/container networking). 0 asks Pacer to pick a
 * cluster-unique port (reference §2.2, §3.1 step 3).
 */
export function assignServicePortSlots(app: AppDefinition): ServicePortSlot[] {
  const slots: ServicePortSlot[] = [];
  (app.portDefinitions ?? []).forEach((p, i) => slots.push({ path: `/portDefinitions(${i})/port`, port: p.port }));
  (app.container?.portMappings ?? []).forEach((m, i) => slots.push({ path: `/container/portMappings(${i})/servicePort`, port: m.servicePort }));
  return slots;
}

export function servicePortsOf(app: AppDefinition): number[] {
  return assignServicePortSlots(app).map((s) => s.port);
}

/**
 * Fills the zero slots, in order, with `fresh` ports.
 * Example: portDefinitions [0, 8080, 0] with fresh [10001, 10002] → [10001, 8080, 10002].
 */
export function withServicePorts(app: AppDefinition, fresh: readonly number[]): AppDefinition {
  let next = 0;
  const take = (port: number): number => (port === 0 && next < fresh.length ? fresh[next++] : port);
  const portDefinitions = app.portDefinitions?.map((p) => ({ ...p, port: take(p.port) }));
  const container = app.container?.portMappings
    ? { ...app.container, portMappings: app.container.portMappings.map((m) => ({ ...m, servicePort: take(m.servicePort) })) }
    : app.container;
  return {
    ...app,
    ...(portDefinitions ? { portDefinitions } : {}),
    ...(container ? { container } : {}),
  };
}
