/**
 * `PUT /v2/groups/{id}` with `{"scaleBy": f}`: every app below the group gets
 * `ceil(instances × f)` instances (Marathon's `GroupApiService.scaleChange`).
 *
 *   instances 3, scaleBy 1.5 → ceil(4.5) = 5;   instances 4, scaleBy 0.5 → 2;   scaleBy 0 → 0
 *
 * Floating-point noise is not allowed to add an instance: 10 × 1.1 is 11.000000000000002 in binary
 * floating point, which Marathon's `.ceil` turns into 12; here it is 11.
 */

/** Largest instance count a scale may produce (Marathon's instances is an Int). */
export const MAX_INSTANCES = 2 ** 31 - 1;

/** Relative tolerance under which a product counts as the integer below it. */
const NOISE = 1e-9;

export function scaledInstances(instances: number, scaleBy: number): number {
  const exact = instances * scaleBy;
  const floor = Math.floor(exact);
  return exact - floor <= NOISE * Math.max(1, exact) ? floor : floor + 1;
}

/**
 * The new instance count of each app whose count changes (apps already at their scaled count are
 * left out), or the ids that would exceed MAX_INSTANCES.
 */
export function scaleApps<A extends { readonly id: string; readonly instances: number }>(
  apps: Iterable<A>,
  scaleBy: number,
): { readonly changed: Map<string, number>; readonly tooLarge: string[] } {
  const changed = new Map<string, number>();
  const tooLarge: string[] = [];
  for (const app of apps) {
    const next = scaledInstances(app.instances, scaleBy);
    if (next > MAX_INSTANCES) tooLarge.push(app.id);
    else if (next !== app.instances) changed.set(app.id, next);
  }
  return { changed, tooLarge };
}
