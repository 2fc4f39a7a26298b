/**
 * The usage chart's numbers, pure: one bar per day of the month (UTC), each with that day's
 * operations and the month's running total by its end, and the chart's top (the quota, or the
 * total if an override lowered the quota below what was already used). Days after `today` have no
 * bar yet.
 */
import type { Usage } from "./api.ts";

export interface UsageBar {
  date: string;
  operations: number;
  total: number;
  /** `total` as a share of the quota, e.g. "0.02 %". */
  percent: string;
  /** A day still to come: nothing to draw. */
  future: boolean;
}

export function usageSeries(usage: Pick<Usage, "period" | "days" | "monthly_operations">, today: string): { bars: UsageBar[]; top: number } {
  const [year, month] = usage.period.split("-").map(Number) as [number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const byDate = new Map(usage.days.map((d) => [d.date, d.operations]));
  let total = 0;
  const bars: UsageBar[] = [];
  for (let day = 1; day <= daysInMonth; day++) {
    const date = `${usage.period}-${String(day).padStart(2, "0")}`;
    const operations = byDate.get(date) ?? 0;
    total += operations;
    const share = usage.monthly_operations === 0 ? 100 : (total / usage.monthly_operations) * 100;
    bars.push({ date, operations, total, percent: `${share < 0.01 && share > 0 ? "< 0.01" : share.toFixed(2)} %`, future: date > today });
  }
  return { bars, top: Math.max(1, usage.monthly_operations, total) };
}
