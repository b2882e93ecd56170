/**
 * Hardhat tasks for the order book service (`npm run book`): `book:post` (sign an order of your account and post it),
 * `book:cancel` (soft-cancel by a signed message) and `book:show` (a series' book and trades, or an owner's orders).
 * The book is `--url` (default `BOOK_URL`, else the service's default address); it names the exchange it serves. A bad
 * input fails the task with one line naming its flag before anything is signed or sent; a refusal by the book names
 * the service's field.
 *
 * Like tasks/operator.ts, the scripts (and the TypeChain bindings) are imported only inside the actions.
 */
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { signerAt, SIGNER_HELP, withOrderFlags, type OrderFlagArgs } from "./orderFlags";

const DEFAULT_BOOK_URL = process.env.BOOK_URL ?? "http://127.0.0.1:8547";
const URL_HELP = "the order book's URL (default: BOOK_URL, else http://127.0.0.1:8547)";

async function run<T>(name: string, action: () => Promise<T>): Promise<T> {
  const { taskFailure } = await import("../scripts/lib/ops/taskFailure");
  try {
    return await action();
  } catch (error) {
    throw taskFailure(`${name} failed: ${(error as Error).message}`, error);
  }
}

/** The service's notion of now: the later of the wall clock and the latest block (scripts/book/chain/clock.ts). */
async function bookNow(hre: HardhatRuntimeEnvironment): Promise<bigint> {
  const latest = await hre.ethers.provider.getBlock("latest");
  return BigInt(Math.max(latest?.timestamp ?? 0, Math.floor(Date.now() / 1000)));
}

withOrderFlags(task("book:post", "Sign an order of your account and post it to the order book"))
  .addParam("url", URL_HELP, DEFAULT_BOOK_URL)
  .setAction(async (args: OrderFlagArgs & { url: string }, hre) =>
    run("book:post", async () => {
      const { connectBook, parseBookUrl, postToBook } = await import("../scripts/lib/book/tasks");
      const url = parseBookUrl(args.url);
      const signer = await signerAt(hre, args.signer);
      const client = await connectBook(url, hre.ethers.provider);
      const posted = await postToBook(client, signer, { ...args, fillOrKill: false }, await bookNow(hre));
      console.log(`posted order ${posted.hash} to ${url}: ${posted.state}`);
      return posted;
    }),
  );

task(
  "book:cancel",
  "Cancel your order on the order book with a signed message (soft; `cancel-order` is on-chain)",
)
  .addParam("url", URL_HELP, DEFAULT_BOOK_URL)
  .addParam("signer", SIGNER_HELP, 0, types.int)
  .addParam("hash", "the order hash")
  .addParam("validFor", "how long the signed cancel stays valid (5m)", "5m")
  .setAction(async (args: { url: string; signer: number; hash: string; validFor: string }, hre) =>
    run("book:cancel", async () => {
      const { cancelOnBook, connectBook, parseBookUrl, parseOrderHash } =
        await import("../scripts/lib/book/tasks");
      const url = parseBookUrl(args.url);
      const hash = parseOrderHash(args.hash);
      const signer = await signerAt(hre, args.signer);
      const client = await connectBook(url, hre.ethers.provider);
      const reply = await cancelOnBook(client, signer, hash, args.validFor, await bookNow(hre));
      console.log(`cancelled ${reply.hash} on ${url}: ${reply.state}`);
      return reply;
    }),
  );

task("book:show", "Show a series' book and recent trades (--series), or an owner's orders (--owner)")
  .addParam("url", URL_HELP, DEFAULT_BOOK_URL)
  .addOptionalParam("series", "the series id")
  .addOptionalParam("owner", "an owner's address")
  .addParam("limit", "trades or orders shown at most", 20, types.int)
  .setAction(async (args: { url: string; series?: string; owner?: string; limit: number }, hre) =>
    run("book:show", async () => {
      const { connectBook, formatBookView, parseBookUrl, parseShowFlags, quoteDecimalsOf, showBook } =
        await import("../scripts/lib/book/tasks");
      const url = parseBookUrl(args.url);
      const target = parseShowFlags(args);
      const client = await connectBook(url, hre.ethers.provider);
      const view = await showBook(client, target);
      for (const line of formatBookView(view, await quoteDecimalsOf(client, hre.ethers.provider)))
        console.log(line);
      return view;
    }),
  );
