/**
 * The read-only market page (`GET /`) of `npm run book` against a real `npx hardhat node`: served as plain HTML and a
 * script, `/series` naming each series with its breaker scopes, and the page rendered by headless Chromium (Debian's
 * `chromium`, installed by .ci/run) showing the book, the confirmed trade and a guardian's pause. The screenshot is
 * written to a temporary folder, or to BOOK_SCREENSHOT_OUT when set (docs/img/book-market.png is made that way).
 */
import { execFile } from "node:child_process";
import { copyFileSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { CircuitBreaker__factory } from "../../../typechain-types";
import { BookClient, Side } from "../../../src";
import { Scopes } from "../../../scripts/lib/scopes";
import {
  devWallet,
  eventually,
  startBookSession,
  type BookProcess,
  type BookSession,
} from "../../shared/bookService";

const run = promisify(execFile);
const WAD = 10n ** 18n;
const USDC = 10n ** 6n;
const PNG_SIGNATURE = "89504e470d0a1a0a";

/** Headless Chromium on `url` with `flags`; its stdout. */
async function chromium(url: string, flags: string[]): Promise<string> {
  const { stdout } = await run(
    "chromium",
    ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=8000", ...flags, url],
    { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}

interface SeriesReply {
  quoteDecimals: number;
  series: {
    seriesId: string;
    name: string;
    scopes: { name: string; status: string; reason: string }[];
  }[];
}

describe("e2e/book/MarketPage (GET / of npm run book, rendered by headless Chromium)", function () {
  this.timeout(600_000);
  let session: BookSession | undefined;
  let work: string;
  let book: BookProcess;
  let seriesId: bigint;

  before(async function () {
    const alice = devWallet(4);
    const bob = devWallet(5);
    session = await startBookSession({
      name: "book-page",
      traders: [alice, bob],
      env: { BOOK_CONFIRMATIONS: "1" },
    });
    const { chain, provider, accounts } = session;
    ({ work, book, seriesId } = session);
    const aliceAccount = accounts.get(alice.address)!;
    const bobAccount = accounts.get(bob.address)!;
    const client = await BookClient.connect(book.url);
    const latest = await provider.getBlock("latest");
    const expiry = BigInt(Math.max(latest!.timestamp, Math.floor(Date.now() / 1000))) + 3600n;
    const order = (side: Side, accountId: bigint, amount: bigint, usdc: bigint, nonce: bigint) => ({
      accountId,
      seriesId,
      side,
      amount,
      limitPremiumPerContract: usdc * USDC,
      maxFeePerContract: 0n,
      expiry,
      nonce,
    });
    // Alice asks 2 at 40 and 1 at 45; Bob takes 1 at up to 41: one trade at 40, 1 left at 40 and 1 at 45.
    await client.post(alice, order(Side.Sell, aliceAccount, 2n * WAD, 40n, 0n));
    await client.post(alice, order(Side.Sell, aliceAccount, WAD, 45n, 1n));
    const taker = await client.post(bob, order(Side.Buy, bobAccount, WAD, 41n, 0n));
    await eventually(
      async () =>
        (await client.trades({ seriesId })).find(
          (t) => t.takerHash === taker.hash && t.status === "CONFIRMED",
        ),
      "the trade confirmed",
    );
    // The guardian (#2 in config/local.json) pauses trading.
    const breaker = CircuitBreaker__factory.connect(
      chain.record.contracts.CircuitBreaker,
      await provider.getSigner(2),
    );
    await (await breaker.pause(Scopes.TRADE, "market page test")).wait();
  });

  after(() => session?.close());

  it("serves the page and its script as plain files, and /series with the breaker's scopes", async () => {
    const page = await fetch(`${book.url}/`);
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-type")).to.contain("text/html");
    expect(await page.text()).to.contain('<script src="/market.js"');
    const script = await fetch(`${book.url}/market.js`);
    expect(script.status).to.equal(200);
    expect(script.headers.get("content-type")).to.contain("javascript");

    const reply = (await (await fetch(`${book.url}/series`)).json()) as SeriesReply;
    expect(reply.quoteDecimals).to.equal(6);
    expect(reply.series).to.have.length(1);
    const [s] = reply.series;
    expect(s.seriesId).to.equal(seriesId.toString());
    expect(s.name).to.match(/^WETH-1800-P-\d{4}-\d{2}-\d{2}$/);
    const scopes = Object.fromEntries(s.scopes.map((x) => [x.name, [x.status, x.reason]]));
    expect(scopes).to.deep.equal({
      "WETH price": ["open", "None"],
      trade: ["tripped", "GuardianPause"],
      write: ["open", "None"],
      global: ["open", "None"],
    });

    const bad = await fetch(`${book.url}/series?limit=0`);
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { field: string }).field).to.equal("limit");
  });

  it("renders in headless Chromium: the book, the confirmed trade and the tripped scope, per series", async () => {
    const dom = await chromium(`${book.url}/`, ["--dump-dom"]);
    expect(dom).to.contain('data-loaded="true"');
    const section = new RegExp(
      `<section class="series" data-series="${seriesId}">([\\s\\S]*?)</section>`,
    ).exec(dom);
    expect(section, dom).to.not.equal(null);
    const html = section![1];
    const cells = (row: string) => [...row.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
    const rows = (attr: string) =>
      [...html.matchAll(new RegExp(`<tr [^>]*${attr}[^>]*>([\\s\\S]*?)</tr>`, "g"))].map((m) => cells(m[1]));
    // Asks, best (lowest) nearest the bids: 45 above 40.
    expect(rows('data-side="ask"')).to.deep.equal([
      ["ask", "45", "1", "1"],
      ["ask", "40", "1", "1"],
    ]);
    expect(rows('data-side="bid"')).to.deep.equal([]);
    const trades = rows('data-status="CONFIRMED"');
    expect(trades).to.have.length(1);
    expect(trades[0].slice(0, 4)).to.deep.equal(["bought", "40", "1", "CONFIRMED"]);
    expect(html).to.contain("trade: tripped (GuardianPause)");
    expect(html).to.contain("WETH price: open");
    expect(html).to.match(/WETH-1800-P-\d{4}-\d{2}-\d{2}/);
  });

  it("takes a screenshot of the page", async () => {
    const path = join(work, "book-market.png");
    await chromium(`${book.url}/`, [`--screenshot=${path}`, "--window-size=1100,640", "--hide-scrollbars"]);
    const png = readFileSync(path);
    expect(png.subarray(0, 8).toString("hex")).to.equal(PNG_SIGNATURE);
    expect(statSync(path).size).to.be.greaterThan(10_000);
    const out = process.env.BOOK_SCREENSHOT_OUT;
    if (out !== undefined && out !== "") copyFileSync(path, out);
  });
});
