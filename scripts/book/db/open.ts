/** Open the configured database (a server when `url` is set, PGlite in `dataDir` otherwise) and migrate it. */
import type { Database } from "./database";
import { migrate } from "./migrate";
import { openPglite } from "./pglite";
import { openPostgres } from "./postgres";

export async function openDatabase(target: { url?: string; dataDir: string }): Promise<Database> {
  const db = target.url !== undefined ? await openPostgres(target.url) : await openPglite(target.dataDir);
  await migrate(db);
  return db;
}
