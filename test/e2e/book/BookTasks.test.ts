/**
 * The order book tasks as a person runs them: separate `npx hardhat book:post | book:cancel | book:show` processes
 * against a real `npx hardhat node` (the project's deployment) and the real service (`npm run book`, PGlite). Each
 * task does what it says, as read back through the service's API; a bad input exits non-zero with one line naming
 * its flag (or the service's field) and stores nothing.
 */
import { expect } from "chai";
import { BookClient, type BookOrders } from "../../../src";
import {
  devWallet,
  startBookSession,
  type BookChain,
  type BookProcess,
  type BookSession,
} from "../../shared/bookService";
import { runHardhat, type CommandResult } from "../../shared/localNode";

const WAD = 10n ** 18n;
const USDC = 10n ** 6n;
/** One `npx hardhat` process, generous for a machine shared with other suites. */
const TASK_TIMEOUT_MS = 300_000;

const explain = (r: CommandResult): string =>
  `exit ${r.code}${r.timedOut ? " (timed out)" : ""}\n${r.stdout}\n${r.stderr}`;

describe("e2e/book/BookTasks (book:post, book:cancel, book:show as processes against a node and npm run book)", function () {
  this.timeout(600_000);
  let session: BookSession | undefined;
  let chain: BookChain;
  let book: BookProcess;
  let client: BookClient;
  let seriesId: bigint;
  let aliceAccount: bigint;
  const alice = devWallet(4);

  const task = (...args: string[]) =>
    runHardhat([...args, "--network", "e2e"], { E2E_RPC_URL: chain.node.url }, TASK_TIMEOUT_MS);
  const ok = async (...args: string[]): Promise<string> => {
    const r = await task(...args);
    expect(r.code, explain(r)).to.equal(0);
    return r.stdout;
  };
  const fails = async (message: string, ...args: string[]): Promise<void> => {
    const r = await task(...args);
    expect(r.code, explain(r)).to.not.equal(0);
    const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
    expect(lines, explain(r)).to.have.length(1);
    expect(lines[0], explain(r)).to.contain(message);
  };
  const aliceOrders = (): Promise<BookOrders> => client.orders(alice.address);

  before(async function () {
    session = await startBookSession({ name: "book-tasks", traders: [alice] });
    ({ chain, book, seriesId } = session);
    aliceAccount = session.accounts.get(alice.address)!;
    client = await BookClient.connect(book.url);
  });

  after(() => session?.close());

  let posted: string;

  it("book:post signs an order of the account and posts it: the book holds it as signed", async () => {
    const out = await ok(
      "book:post",
      ...[
        "--url",
        book.url,
        "--signer",
        "4",
        "--account",
        aliceAccount.toString(),
        "--series",
        seriesId.toString(),
      ],
      ...["--side", "sell", "--amount", "1.5", "--price", "40", "--expiry", "2h"],
    );
    const hash = /posted order (0x[0-9a-f]{64})/.exec(out)?.[1];
    expect(hash, out).to.not.equal(undefined);
    posted = hash!;
    const [order] = (await aliceOrders()).orders;
    expect(order.hash).to.equal(posted);
    expect(order.state).to.equal("OPEN");
    expect(order.order).to.include({
      owner: alice.address,
      accountId: aliceAccount.toString(),
      seriesId: seriesId.toString(),
      side: 1,
      amount: ((3n * WAD) / 2n).toString(),
      limitPremiumPerContract: (40n * USDC).toString(),
    });
  });

  it("book:show --series prints the level and no trades; --owner prints the order", async () => {
    const bySeries = await ok("book:show", "--url", book.url, "--series", seriesId.toString());
    expect(bySeries).to.contain(`series ${seriesId}`);
    expect(bySeries).to.contain("ask 1.5 @ 40.0 (1 order)");
    expect(bySeries).to.contain("no bids");
    expect(bySeries).to.contain("no trades");
    const byOwner = await ok("book:show", "--url", book.url, "--owner", alice.address);
    expect(byOwner).to.contain(`${posted} sell series ${seriesId} 1.5 @ 40.0: OPEN, 1.5 left`);
  });

  it("refuses bad input in one line naming the flag or the service's field, storing nothing", async () => {
    const before = await aliceOrders();
    const post = (...extra: string[]) => {
      const base: Record<string, string> = {
        "--url": book.url,
        "--signer": "4",
        "--account": aliceAccount.toString(),
        "--series": seriesId.toString(),
        "--side": "sell",
        "--amount": "1",
        "--price": "41",
      };
      for (let i = 0; i < extra.length; i += 2) base[extra[i]] = extra[i + 1];
      return Object.entries(base).flat();
    };
    await Promise.all([
      fails("--side must be buy or sell, got 'hold'", "book:post", ...post("--side", "hold")),
      fails(
        "--url must be the book's http(s) URL, got 'ftp://book'",
        "book:post",
        ...post("--url", "ftp://book"),
      ),
      fails(
        "--amount must be a positive number of contracts, got 'lots'",
        "book:post",
        ...post("--amount", "lots"),
      ),
    ]);
    await Promise.all([
      // The service refuses an order living less than its minimum life (60 s by default).
      fails("field order.expiry", "book:post", ...post("--expiry", "10s")),
      fails(
        "--url: no order book answers at http://127.0.0.1:1",
        "book:post",
        ...post("--url", "http://127.0.0.1:1"),
      ),
      fails("give exactly one of --series and --owner", "book:show", "--url", book.url),
    ]);
    expect(await aliceOrders()).to.deep.equal(before);
  });

  it("book:cancel cancels by a message the owner signs; a stranger's and a malformed hash are refused", async () => {
    await Promise.all([
      fails(
        "--hash must be a 32-byte hex order hash, got '0x12'",
        "book:cancel",
        "--url",
        book.url,
        "--signer",
        "4",
        "--hash",
        "0x12",
      ),
      fails(
        "the book refused (403, field signature)",
        "book:cancel",
        "--url",
        book.url,
        "--signer",
        "9",
        "--hash",
        posted,
      ),
      fails(
        "--valid-for must be a duration",
        "book:cancel",
        "--url",
        book.url,
        "--signer",
        "4",
        "--hash",
        posted,
        "--valid-for",
        "soon",
      ),
    ]);
    expect((await aliceOrders()).orders[0].state).to.equal("OPEN");

    const out = await ok("book:cancel", "--url", book.url, "--signer", "4", "--hash", posted);
    expect(out).to.contain(`cancelled ${posted} on ${book.url}: CANCELLED`);
    expect((await aliceOrders()).orders[0].state).to.equal("CANCELLED");
    expect((await client.book(seriesId)).asks).to.deep.equal([]);
  });
});
