/** `clearing`: the options clearing's ERC-1155 metadata URI. */
import type { z } from "zod";
import { DEFAULT_SERIES_URI } from "./defaults";
import { section, text } from "./fields";

/** Absent or null: the default URI. */
export const clearingSchema = section({ uri: text().default(DEFAULT_SERIES_URI) })
  .nullish()
  .transform((c) => c ?? { uri: DEFAULT_SERIES_URI });

export const toClearingSpec = (c: z.output<typeof clearingSchema>) => ({ uri: c.uri });
