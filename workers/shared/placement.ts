/**
 * Where a tenant's Durable Objects (TenantVault, TenantSigner, RateLimiter) live (architecture §2,
 * data residency). The tenant row records its placement explicitly: "default" or a jurisdiction.
 * It is not derived from `jurisdiction`, because tenants created before residency was enforced
 * carry a jurisdiction while their vault is in the default namespace; deriving it would orphan them.
 * Every id of a per-tenant object is derived here, so no call site can place one differently.
 */
export const PLACEMENTS = ["default", "eu", "fedramp"] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** The part of a Durable Object namespace placement needs (a real `DurableObjectNamespace`, or a recorder in tests). */
export interface PlaceableNamespace<Id> {
  idFromName(name: string): Id;
  jurisdiction(jurisdiction: Exclude<Placement, "default">): PlaceableNamespace<Id>;
}

/** The placement of a new tenant: its jurisdiction's namespace, or the default one. */
export function placementFor(jurisdiction: Exclude<Placement, "default"> | null): Placement {
  return jurisdiction ?? "default";
}

/** The id of `name`'s object in the namespace `placement` names: the jurisdiction subnamespace, or the default. */
export function placedId<Id>(namespace: PlaceableNamespace<Id>, placement: Placement, name: string): Id {
  return placement === "default" ? namespace.idFromName(name) : namespace.jurisdiction(placement).idFromName(name);
}
