/**
 * Placement of a tenant's Durable Objects (workers/shared/placement.ts, architecture §2): the recorded
 * placement, not the jurisdiction, picks the namespace.
 */
import { describe, expect, it } from "vitest";
import { placedId, placementFor, type PlaceableNamespace } from "../../../workers/shared/placement.ts";

/** A namespace that names each id by the namespace it came from and records the calls made. */
function recordingNamespace(where = "default", calls: string[] = []): PlaceableNamespace<string> & { calls: string[] } {
  return {
    calls,
    idFromName: (name) => {
      calls.push(`${where}.idFromName(${name})`);
      return `${where}:${name}`;
    },
    jurisdiction: (jurisdiction) => {
      calls.push(`jurisdiction(${jurisdiction})`);
      return recordingNamespace(jurisdiction, calls);
    },
  };
}

describe("placedId", () => {
  it("default: the namespace's own idFromName, no jurisdiction call", () => {
    const ns = recordingNamespace();
    expect(placedId(ns, "default", "t-1")).toBe("default:t-1");
    expect(ns.calls).toEqual(["default.idFromName(t-1)"]);
  });

  it.each(["eu", "fedramp"] as const)("%s: idFromName in the jurisdiction's subnamespace", (placement) => {
    const ns = recordingNamespace();
    expect(placedId(ns, placement, "t-1")).toBe(`${placement}:t-1`);
    expect(ns.calls).toEqual([`jurisdiction(${placement})`, `${placement}.idFromName(t-1)`]);
  });
});

describe("placementFor", () => {
  it("a new tenant is placed in its jurisdiction, or the default namespace without one", () => {
    expect(placementFor("eu")).toBe("eu");
    expect(placementFor("fedramp")).toBe("fedramp");
    expect(placementFor(null)).toBe("default");
  });
});
