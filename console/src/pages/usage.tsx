/**
 * Usage: this month's operations against the monthly quota, per UTC day (GET /v1/usage `days`), as
 * a plain SVG bar chart, each bar the operations used by the end of that day, under the quota's
 * line. The chart has a title and a description for assistive technology, and the same numbers are
 * in a table below it. Reading the usage is itself an operation: it is counted in what it shows.
 */
import type { Usage } from "../api.ts";
import { ErrorNote, useLoad } from "../components.tsx";
import type { Ctx } from "../context.ts";
import { formatTime, missingScope } from "../format.ts";
import { usageSeries, type UsageBar } from "../usage-series.ts";

const W = 720;
const H = 240;
const PAD = { left: 64, right: 12, top: 16, bottom: 28 };
const count = (n: number) => n.toLocaleString("en");
const compact = new Intl.NumberFormat("en", { notation: "compact" });

function Chart(props: { usage: Usage; bars: UsageBar[]; top: number }) {
  const { usage, bars, top } = props;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / bars.length;
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const quotaY = y(usage.monthly_operations);
  const today = bars.filter((b) => b.operations > 0).at(-1);
  return (
    <svg class="usage-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="usage-chart-title usage-chart-desc">
      <title id="usage-chart-title">Operations used in {usage.period}, by day, against the monthly quota</title>
      <desc id="usage-chart-desc">
        {`${count(usage.operations)} of ${count(usage.monthly_operations)} operations used this month. ` +
          (today ? `Latest day with operations: ${today.date}, ${count(today.operations)} that day. ` : "No operations yet this month. ") +
          "Each bar is the total used by the end of its day; the line is the quota. The table below has every day."}
      </desc>
      <line class="axis" x1={PAD.left} y1={PAD.top + plotH} x2={W - PAD.right} y2={PAD.top + plotH} />
      <line class="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={PAD.top + plotH} />
      <text class="tick" x={PAD.left - 6} y={PAD.top + plotH} text-anchor="end" dominant-baseline="middle">0</text>
      <text class="tick" x={PAD.left - 6} y={PAD.top + 4} text-anchor="end" dominant-baseline="middle">{compact.format(top)}</text>
      {bars.map((b, i) => {
        // A day with operations is never thinner than 2 px, however large the quota.
        const h = b.total === 0 || b.future ? 0 : Math.max(2, (b.total / top) * plotH);
        const x = PAD.left + i * slot + slot * 0.15;
        return (
          <g class={b.operations > 0 ? "bar active" : "bar"}>
            {!b.future && <rect x={x} y={PAD.top + plotH - h} width={slot * 0.7} height={h}>
              <title>{`${b.date}: ${count(b.operations)} operations that day, ${count(b.total)} this month by its end`}</title>
            </rect>}
            {(i === 0 || (i + 1) % 5 === 0) && (
              <text class="tick" x={x + slot * 0.35} y={H - 8} text-anchor="middle">{b.date.slice(8)}</text>
            )}
          </g>
        );
      })}
      <line class="quota" x1={PAD.left} y1={quotaY} x2={W - PAD.right} y2={quotaY} />
      <text class="quota-label" x={W - PAD.right} y={quotaY - 4} text-anchor="end">quota {count(usage.monthly_operations)}</text>
    </svg>
  );
}

export function UsagePage(props: { ctx: Ctx }) {
  const missing = missingScope(props.ctx.scopes, "keys:read");
  const load = useLoad(() => (missing === null ? props.ctx.api.usage() : Promise.resolve(null)), [missing]);
  const usage = load.value;
  const series = usage ? usageSeries(usage, new Date().toISOString().slice(0, 10)) : null;
  return (
    <section aria-labelledby="usage-title">
      <h1 id="usage-title">Usage</h1>
      {missing !== null && <p class="muted">{missing}: it cannot read the usage.</p>}
      <ErrorNote error={load.error} />
      {usage && series && (
        <>
          <p>
            <strong>{count(usage.operations)}</strong> of {count(usage.monthly_operations)} operations used in {usage.period} ({usage.plan} plan),{" "}
            {count(usage.remaining)} left; the quota resets {formatTime(usage.resets_at)}.
          </p>
          <Chart usage={usage} bars={series.bars} top={series.top} />
          <table class="list usage-days">
            <caption>Operations per day, {usage.period} (UTC)</caption>
            <thead><tr><th scope="col">Day</th><th scope="col">Operations</th><th scope="col">Used this month by its end</th><th scope="col">Of the quota</th></tr></thead>
            <tbody>
              {series.bars.filter((b) => b.operations > 0).map((b) => (
                <tr><th scope="row">{b.date}</th><td>{count(b.operations)}</td><td>{count(b.total)}</td><td>{b.percent}</td></tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={load.reload}>Refresh</button>
        </>
      )}
    </section>
  );
}
