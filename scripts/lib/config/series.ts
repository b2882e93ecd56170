/** `series`: options listed at deployment, each within its underlying's listing window (checked in references.ts). */
import { z } from "zod";
import { show } from "../units";
import { section, text, timestamp, wad } from "./fields";
import { parsed, RUN_ALWAYS } from "../validation";

const entry = section({
  underlying: text(),
  strike: wad(),
  expiry: timestamp(),
  type: z.enum(["call", "put"], {
    error: (issue) =>
      issue.input === undefined ? "missing" : `${show(issue.input)} is neither 'call' nor 'put'`,
  }),
});

export const seriesSchema = z
  .array(entry)
  .nullish()
  .transform((list) => list ?? [])
  .superRefine((list, ctx) => {
    if (!Array.isArray(list)) return;
    list.forEach((s, i) => {
      if (!parsed(ctx.issues, [i])) return;
      const first = list.findIndex(
        (x, j) =>
          parsed(ctx.issues, [j]) &&
          x.underlying === s.underlying &&
          x.strike === s.strike &&
          x.expiry === s.expiry &&
          x.type === s.type,
      );
      if (first < i)
        ctx.addIssue({ code: "custom", path: [i], message: `the same series as series[${first}]` });
    });
  }, RUN_ALWAYS);

export type ParsedSeries = z.output<typeof entry>;

export const toSeriesSpecs = (series: z.output<typeof seriesSchema>) =>
  series.map((s) => ({
    underlying: s.underlying,
    strikeWad: s.strike,
    /** Unix seconds. */
    expiry: s.expiry,
    isCall: s.type === "call",
  }));
