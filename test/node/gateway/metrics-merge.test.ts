/**
 * Merging the MetricsStore shards' counters (workers/gateway/src/metrics/counters.ts, `mergeSeries`):
 * the same series in several shards add up, different labels stay apart, and the Prometheus text
 * of the merge is the text of one store that had received every delta.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CounterBuffer, mergeSeries, renderPrometheus, type CounterDelta } from "../../../workers/gateway/src/metrics/counters.ts";

const ok = { name: "pqkms_requests_total", labels: 'method="GET",route="/v1/tenant",status="200"' } as const;
const limited = { name: "pqkms_rate_limited_total", labels: "" } as const;

describe("mergeSeries", () => {
  it("adds the same series across shards and keeps other labels apart", () => {
    const merged = mergeSeries([
      [{ ...ok, value: 3 }, { ...limited, value: 1 }],
      [{ ...ok, value: 4 }],
      [],
      [{ ...ok, labels: 'method="GET",route="/v1/tenant",status="429"', value: 2 }, { ...limited, value: 2 }],
    ]);
    expect(merged).toHaveLength(3);
    expect(merged).toContainEqual({ ...ok, value: 7 });
    expect(merged).toContainEqual({ ...limited, value: 3 });
    expect(merged).toContainEqual({ ...ok, labels: 'method="GET",route="/v1/tenant",status="429"', value: 2 });
  });

  it("does not change its inputs", () => {
    const shard: CounterDelta[] = [{ ...ok, value: 1 }];
    mergeSeries([shard, [{ ...ok, value: 5 }]]);
    expect(shard).toEqual([{ ...ok, value: 1 }]);
  });

  it("renders the same text as one store that received every delta, however they were sharded", () => {
    const status = fc.constantFrom("200", "403", "429");
    const delta = fc.record({ status, value: fc.integer({ min: 1, max: 5 }), shard: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(fc.array(delta, { maxLength: 40 }), (deltas) => {
        const single = new CounterBuffer();
        const shards = [new CounterBuffer(), new CounterBuffer(), new CounterBuffer(), new CounterBuffer()];
        for (const d of deltas) {
          const labels = { method: "GET", route: "/v1/tenant", status: d.status };
          single.inc("pqkms_requests_total", labels, d.value);
          shards[d.shard]?.inc("pqkms_requests_total", labels, d.value);
        }
        const merged = mergeSeries(shards.map((s) => s.take(0)));
        expect(renderPrometheus(merged)).toBe(renderPrometheus(single.take(0)));
      }),
    );
  });
});
