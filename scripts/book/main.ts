/**
 * `npm run book`: the order book service. Settings by flag, environment or default (scripts/book/config/load.ts);
 * one JSON line per event on stdout; a bad setting exits 1 with one line naming it.
 */
import { BookConfigError, loadBookConfig } from "./config/load";
import { jsonLog, startBook } from "./service";

async function main(): Promise<void> {
  const config = loadBookConfig(process.argv.slice(2), process.env);
  const service = await startBook(config);
  jsonLog("listening", {
    url: service.url,
    chainId: service.chain.chainId.toString(),
    exchange: service.chain.exchangeAddress,
    database: service.db.kind,
    matcher: service.chain.executor?.address ?? null,
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await service.stop();
    jsonLog("stopped", {});
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  const message = error instanceof BookConfigError ? error.message : (error as Error).message.split("\n")[0];
  process.stderr.write(`book: ${message}\n`);
  process.exit(1);
});
