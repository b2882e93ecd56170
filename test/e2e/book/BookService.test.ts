/**
 * The order book service as a process (`npm run book`) over real sockets, against a real `npx hardhat node` with the
 * project's deployment and a PGlite folder: every refused input (4xx, the field named, nothing stored), the matcher
 * settling a cross on-chain at the maker's price with PENDING → MINED → CONFIRMED only after the configured blocks,
 * self-trade prevention, soft and on-chain cancels, and the stream of book deltas and trade status.
 */
import { join } from "node:path";
import { expect } from "chai";
import { recoverAddress, type HDNodeWallet, type JsonRpcProvider } from "ethers";
import WebSocket from "ws";
import { Client } from "pg";
import { IOptionsExchange__factory, OptionsClearing__factory } from "../../../typechain-types";
import {
  CRASH_PRICE,
  openFundedAccount,
  openThinShort,
  setMockPrice,
  USDC,
} from "../../shared/fixtures/book";
import {
  bookEnv,
  devWallet,
  eventually,
  http,
  startBookProcess,
  startBookSession,
  type BookChain,
  type BookProcess,
  type BookSession,
} from "../../shared/bookService";
import { startPostgres } from "../../shared/postgresCluster";
import { exchangeDomain, hashOrder, validateOrder } from "../../../src/exchange/order";
import { nowSeconds, Side, signedCancel, signedOrder, USDC_PER_CONTRACT, WAD, type Venue } from "./orders";

const CONFIRMATIONS = 3;
const MAX_OPEN = 6;

interface OrdersReply {
  orders: { hash: string; state: string; remaining: string; reason: string | null }[];
}
interface BookReply {
  bids: { price: string; amount: string; orders: number }[];
  asks: { price: string; amount: string; orders: number }[];
}
interface TradesReply {
  trades: {
    matchId: string;
    txHash: string;
    status: string;
    makerHash: string;
    takerHash: string;
    amount: string;
    price: string;
  }[];
}

describe("e2e/book/BookService (npm run book against npx hardhat node and PGlite)", function () {
  this.timeout(300_000);
  let session: BookSession | undefined;
  let work: string;
  let chain: BookChain;
  let book: BookProcess;
  let provider: JsonRpcProvider;
  let venue: Venue;
  let seriesId: bigint;
  const alice = devWallet(4);
  const bob = devWallet(5);
  const carol = devWallet(6);
  const stranger = devWallet(9);
  let accounts: Map<string, bigint>;
  let orderExpiry: bigint;

  const url = (path: string) => `${book.url}${path}`;
  const ordersOf = async (w: HDNodeWallet) =>
    (await http<OrdersReply>(url(`/orders?owner=${w.address}`))).body.orders;
  const bookOf = async () => (await http<BookReply>(url(`/books/${seriesId}`))).body;
  const order = (w: HDNodeWallet, side: Side, amount: bigint, price: bigint, nonce = 0n) =>
    signedOrder(venue, w, {
      accountId: accounts.get(w.address)!,
      seriesId,
      side,
      amount,
      price: price * USDC_PER_CONTRACT,
      expiry: orderExpiry,
      nonce,
    });
  const mine = (blocks: number) => provider.send("hardhat_mine", [`0x${blocks.toString(16)}`]);
  const inCanonicalBlock = async (txHash: string): Promise<boolean> => {
    const receipt = await provider.getTransactionReceipt(txHash);
    if (receipt === null) return false;
    return (await provider.getBlock(receipt.blockNumber))?.hash === receipt.blockHash;
  };

  before(async function () {
    session = await startBookSession({
      name: "book",
      traders: [alice, bob, carol],
      env: {
        BOOK_CONFIRMATIONS: String(CONFIRMATIONS),
        BOOK_MAX_OPEN_ORDERS: String(MAX_OPEN),
        BOOK_BODY_LIMIT_BYTES: "4096",
      },
    });
    ({ work, chain, book, provider, seriesId, accounts } = session);
    venue = { exchange: chain.record.contracts.OptionsExchange, chainId: 31337n };
    orderExpiry = nowSeconds() + 3600n;
  });

  after(() => session?.close());

  it("answers /health with the chain, the exchange, the database, the matcher and the signature check", async () => {
    const { status, body } = await http(url("/health"));
    expect(status).to.equal(200);
    expect(body).to.include({
      status: "ok",
      chainId: "31337",
      exchange: venue.exchange,
      database: "pglite",
      matcher: devWallet(8).address,
    });
    // The native curve and keccak load on this machine, so the default checks signatures inline.
    expect(body.signatures).to.deep.equal({ curve: "libsecp256k1 (native)", keccak: "native", workers: 0 });
  });

  describe("refuses bad input with a 4xx naming the field, storing nothing", () => {
    const refused = async (
      status: number,
      field: string,
      send: () => Promise<{ status: number; body: Record<string, unknown> }>,
    ) => {
      const before = await ordersOf(alice);
      const bookBefore = await bookOf();
      const r = await send();
      expect(r.status, JSON.stringify(r.body)).to.equal(status);
      expect(r.body.field, JSON.stringify(r.body)).to.equal(field);
      expect(r.body.error)
        .to.be.a("string")
        .and.contain(field === "body" ? "body" : field);
      expect(await ordersOf(alice)).to.deep.equal(before);
      expect(await bookOf()).to.deep.equal(bookBefore);
    };
    const post = (body: unknown) => http(url("/orders"), { body });

    it("malformed JSON", () => refused(400, "body", () => http(url("/orders"), { raw: '{"order": ' })));
    it("an oversize body", () =>
      refused(413, "body", () => http(url("/orders"), { raw: JSON.stringify({ pad: "x".repeat(5000) }) })));
    it("a missing field", async () => {
      const { body } = await order(alice, Side.Sell, WAD, 40n);
      const { side: _side, ...rest } = body.order;
      await refused(400, "order.side", () => post({ ...body, order: rest }));
    });
    it("an unknown field", async () => {
      const { body } = await order(alice, Side.Sell, WAD, 40n);
      await refused(400, "order.extra", () => post({ ...body, order: { ...body.order, extra: "1" } }));
    });
    it("a signature by someone else than the order's signer", async () => {
      const { body } = await order(alice, Side.Sell, WAD, 40n);
      const forged = await signedOrder(
        venue,
        alice,
        {
          accountId: accounts.get(alice.address)!,
          seriesId,
          side: Side.Sell,
          amount: WAD,
          price: 40n * USDC_PER_CONTRACT,
          expiry: orderExpiry,
        },
        stranger,
      );
      await refused(400, "signature", () => post({ ...body, signature: forged.body.signature }));
    });
    it("the signer's own signature with v 0 or 1 for 27 or 28, which the exchange refuses", async () => {
      const signed = await order(alice, Side.Sell, WAD, 40n);
      const { body } = signed;
      const v = parseInt(body.signature.slice(130), 16);
      const vLow = body.signature.slice(0, 130) + (v - 27).toString(16).padStart(2, "0");
      const digest = hashOrder(exchangeDomain(venue.exchange, venue.chainId), signed.order);
      expect(recoverAddress(digest, vLow)).to.equal(alice.address);
      await refused(400, "signature", () => post({ ...body, signature: vLow }));
    });
    it("a wrong chain id", async () => {
      const { body } = await order(alice, Side.Sell, WAD, 40n);
      await refused(400, "chainId", () => post({ ...body, chainId: "1" }));
    });
    it("a wrong exchange", async () => {
      const { body } = await order(alice, Side.Sell, WAD, 40n);
      await refused(400, "exchange", () =>
        post({ ...body, exchange: chain.record.contracts.OptionsClearing }),
      );
    });
    it("an expired order, and one that would live less than the minimum life", async () => {
      for (const expiry of [nowSeconds() - 10n, nowSeconds() + 5n]) {
        const { body } = await signedOrder(venue, alice, {
          accountId: accounts.get(alice.address)!,
          seriesId,
          side: Side.Sell,
          amount: WAD,
          price: 40n * USDC_PER_CONTRACT,
          expiry,
        });
        await refused(400, "order.expiry", () => post(body));
      }
    });
    it("an unknown series", async () => {
      const { body } = await signedOrder(venue, alice, {
        accountId: accounts.get(alice.address)!,
        seriesId: 12345n,
        side: Side.Sell,
        amount: WAD,
        price: 40n * USDC_PER_CONTRACT,
        expiry: orderExpiry,
      });
      await refused(404, "order.seriesId", () => post(body));
    });
    it("a price off the tick and an amount off the lot", async () => {
      const offTick = await signedOrder(venue, alice, {
        accountId: accounts.get(alice.address)!,
        seriesId,
        side: Side.Sell,
        amount: WAD,
        price: 40n * USDC_PER_CONTRACT + 1n,
        expiry: orderExpiry,
      });
      await refused(400, "order.limitPremiumPerContract", () => post(offTick.body));
      const offLot = await order(alice, Side.Sell, WAD + 1n, 40n);
      await refused(400, "order.amount", () => post(offLot.body));
    });
    it("a taker-restricted order, a foreign executor, a fill-or-kill order, a hash that is not the order's", async () => {
      const base = {
        accountId: accounts.get(alice.address)!,
        seriesId,
        side: Side.Sell,
        amount: WAD,
        price: 40n * USDC_PER_CONTRACT,
        expiry: orderExpiry,
      };
      const withTaker = await signedOrder(venue, alice, base, alice, { taker: bob.address });
      await refused(400, "order.taker", () => post(withTaker.body));
      const withExecutor = await signedOrder(venue, alice, base, alice, { executor: stranger.address });
      await refused(400, "order.executor", () => post(withExecutor.body));
      const fillOrKill = await signedOrder(venue, alice, base, alice, { flags: 2 });
      await refused(400, "order.flags", () => post(fillOrKill.body));
      const plain = await signedOrder(venue, alice, base);
      await refused(400, "hash", () => post({ ...plain.body, hash: "0x" + "cd".repeat(32) }));
    });
    it("a body that is not JSON (415)", () =>
      refused(415, "body", async () => {
        const r = await fetch(url("/orders"), {
          method: "POST",
          headers: { "content-type": "text/plain" },
          body: "hello",
        });
        return { status: r.status, body: (await r.json()) as Record<string, unknown> };
      }));
    it("bad queries and paths: GET /orders without an owner, /books/<not a number>, /trades?limit=0, an unknown path", async () => {
      for (const [path, status, field] of [
        ["/orders", 400, "owner"],
        ["/orders?owner=0x1234", 400, "owner"],
        ["/books/abc", 400, "seriesId"],
        ["/trades?limit=0", 400, "limit"],
        ["/nowhere", 404, "path"],
      ] as const) {
        const r = await http(url(path));
        expect([r.status, r.body.field], path).to.deep.equal([status, field]);
      }
    });
    it("an order the exchange's validate refuses (the account is not the owner's)", async () => {
      const { body } = await signedOrder(venue, alice, {
        accountId: accounts.get(bob.address)!,
        seriesId,
        side: Side.Sell,
        amount: WAD,
        price: 40n * USDC_PER_CONTRACT,
        expiry: orderExpiry,
      });
      await refused(400, "order.owner", () => post(body));
    });
  });

  it("caps the open orders of an owner (429 naming order.owner, the extra order not stored)", async () => {
    const hashes: string[] = [];
    for (let i = 0; i < MAX_OPEN; i++) {
      const { body } = await order(carol, Side.Sell, WAD, 500n + BigInt(i), BigInt(i));
      const r = await http<{ hash: string }>(url("/orders"), { body });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      hashes.push(r.body.hash);
    }
    const extra = await order(carol, Side.Sell, WAD, 600n, 99n);
    const r = await http(url("/orders"), { body: extra.body });
    expect(r.status).to.equal(429);
    expect(r.body.field).to.equal("order.owner");
    const stored = await ordersOf(carol);
    expect(stored.map((o) => o.hash).sort()).to.deep.equal([...hashes].sort());
    // A duplicate is refused too (409), still one row.
    const again = await order(carol, Side.Sell, WAD, 500n, 0n);
    // The cap answers first for a full owner: cancel one to see the duplicate rule.
    const cancel = await signedCancel(venue, carol, hashes[5], nowSeconds() + 600n);
    expect((await http(url("/orders"), { method: "DELETE", body: cancel })).status).to.equal(200);
    const dup = await http(url("/orders"), { body: again.body });
    expect(dup.status).to.equal(409);
    expect(dup.body.field).to.equal("order");
    expect((await ordersOf(carol)).length).to.equal(MAX_OPEN);
  });

  it("matches a crossing buy at the maker's price, PENDING → MINED, CONFIRMED only after the configured blocks", async () => {
    const ws = new WebSocket(url("/stream").replace("http", "ws"));
    const messages: Record<string, unknown>[] = [];
    ws.on("message", (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));

    const clearing = OptionsClearing__factory.connect(chain.record.contracts.OptionsClearing, provider);
    const exchange = IOptionsExchange__factory.connect(venue.exchange, provider);
    const sell = await order(alice, Side.Sell, 2n * WAD, 40n);
    const posted = await http<{ hash: string }>(url("/orders"), { body: sell.body });
    expect(posted.status).to.equal(201);
    expect((await bookOf()).asks.find((l) => l.price === (40n * USDC_PER_CONTRACT).toString())).to.deep.equal(
      { price: (40n * USDC_PER_CONTRACT).toString(), amount: (2n * WAD).toString(), orders: 1 },
    );

    const buy = await order(bob, Side.Buy, WAD, 41n);
    const taken = await http<{ hash: string }>(url("/orders"), { body: buy.body });
    expect(taken.status).to.equal(201);
    const trade = await eventually(async () => {
      const t = (await http<TradesReply>(url(`/trades?seriesId=${seriesId}`))).body.trades;
      return t.find((x) => x.takerHash === taken.body.hash && x.status === "MINED");
    }, "the trade to be mined");
    expect(trade).to.include({
      makerHash: posted.body.hash,
      amount: WAD.toString(),
      price: (40n * USDC_PER_CONTRACT).toString(),
    });
    // Settled on-chain at the maker's price: positions moved, the taker's limit of 41 not used.
    expect(await clearing.positionOf(accounts.get(alice.address)!, seriesId)).to.equal(-WAD);
    expect(await clearing.positionOf(accounts.get(bob.address)!, seriesId)).to.equal(WAD);
    expect(await exchange.filled(posted.body.hash)).to.equal(WAD);
    // One block only: still not confirmed however long we look.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 150));
      const t = (await http<TradesReply>(url("/trades"))).body.trades.find(
        (x) => x.matchId === trade.matchId,
      )!;
      expect(t.status).to.equal("MINED");
    }
    await mine(CONFIRMATIONS - 1);
    await eventually(async () => {
      const t = (await http<TradesReply>(url("/trades"))).body.trades.find(
        (x) => x.matchId === trade.matchId,
      )!;
      return t.status === "CONFIRMED" ? t : undefined;
    }, "CONFIRMED");
    // The rest of the ask rests; Bob's order is done.
    expect(
      (await bookOf()).asks.find((l) => l.price === (40n * USDC_PER_CONTRACT).toString())?.amount,
    ).to.equal(WAD.toString());
    expect((await ordersOf(bob)).find((o) => o.hash === taken.body.hash)?.state).to.equal("FILLED");

    const statuses = messages
      .filter((m) => m.type === "trade" && m.matchId === trade.matchId)
      .map((m) => m.status);
    expect(statuses).to.deep.equal(["PENDING", "MINED", "CONFIRMED"]);
    expect(
      messages.some((m) => m.type === "level" && m.side === "sell" && m.amount === WAD.toString()),
    ).to.equal(true);
    ws.close();
  });

  it("never crosses an owner with itself (self-trade prevention), and soft-cancels by a signed message", async () => {
    const tradesBefore = (await http<TradesReply>(url("/trades"))).body.trades.length;
    const selfBuy = await order(alice, Side.Buy, WAD, 45n, 1n);
    const r = await http<{ hash: string }>(url("/orders"), { body: selfBuy.body });
    expect(r.status).to.equal(201);
    // Both of Alice's orders rest crossed; the matcher passed over the pair.
    await eventually(
      async () => ((await bookOf()).bids.length === 1 ? true : undefined),
      "the bid on the book",
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await http<TradesReply>(url("/trades"))).body.trades.length).to.equal(tradesBefore);
    const b = await bookOf();
    expect(b.bids).to.deep.equal([
      { price: (45n * USDC_PER_CONTRACT).toString(), amount: WAD.toString(), orders: 1 },
    ]);

    // Refused cancels: each names its field and leaves the order open.
    const stillOpen = async () =>
      expect((await ordersOf(alice)).find((o) => o.hash === r.body.hash)?.state).to.equal("OPEN");
    const del = (body: unknown) => http(url("/orders"), { method: "DELETE", body });
    const byStranger = await signedCancel(venue, stranger, r.body.hash, nowSeconds() + 600n);
    let res = await del(byStranger);
    expect([res.status, res.body.field]).to.deep.equal([403, "signature"]);
    await stillOpen();
    const good = await signedCancel(venue, alice, r.body.hash, nowSeconds() + 600n);
    res = await del({ ...good, signature: byStranger.signature });
    expect([res.status, res.body.field]).to.deep.equal([403, "signature"]);
    res = await del({ ...good, signature: "0x" + "11".repeat(65) });
    expect([res.status, res.body.field]).to.deep.equal([400, "signature"]);
    const stale = await signedCancel(venue, alice, r.body.hash, nowSeconds() - 1n);
    res = await del(stale);
    expect([res.status, res.body.field]).to.deep.equal([400, "cancel.deadline"]);
    const unknown = await signedCancel(venue, alice, "0x" + "ab".repeat(32), nowSeconds() + 600n);
    res = await del(unknown);
    expect([res.status, res.body.field]).to.deep.equal([404, "cancel.orderHash"]);
    await stillOpen();

    res = await del(good);
    expect(res.status).to.equal(200);
    expect((await ordersOf(alice)).find((o) => o.hash === r.body.hash)?.state).to.equal("CANCELLED");
    expect((await bookOf()).bids).to.deep.equal([]);
    res = await del(good);
    expect([res.status, res.body.field]).to.deep.equal([409, "cancel.orderHash"]);
  });

  it("evicts the order a simulated match names (a seller without margin) and keeps the other side on the book", async () => {
    const poor = devWallet(7);
    accounts.set(poor.address, await openFundedAccount(chain.record, await provider.getSigner(7), 1n * USDC));
    const tradesBefore = (await http<TradesReply>(url("/trades"))).body.trades.length;
    const ask = await order(poor, Side.Sell, WAD, 30n);
    const askHash = (await http<{ hash: string }>(url("/orders"), { body: ask.body })).body.hash;
    const bid = await order(bob, Side.Buy, WAD, 30n, 2n);
    const bidHash = (await http<{ hash: string }>(url("/orders"), { body: bid.body })).body.hash;
    const evicted = await eventually(async () => {
      const o = (await ordersOf(poor)).find((x) => x.hash === askHash);
      return o?.state === "EVICTED" ? o : undefined;
    }, "the eviction");
    expect(evicted.reason).to.equal("BelowInitialMargin");
    expect((await ordersOf(bob)).find((o) => o.hash === bidHash)?.state).to.equal("OPEN");
    expect((await http<TradesReply>(url("/trades"))).body.trades.length).to.equal(tradesBefore);
    expect((await bookOf()).asks.some((l) => l.price === (30n * USDC_PER_CONTRACT).toString())).to.equal(
      false,
    );
    // Take the bid off again for the tests that follow.
    const cancel = await signedCancel(venue, bob, bidHash, nowSeconds() + 600n);
    expect((await http(url("/orders"), { method: "DELETE", body: cancel })).status).to.equal(200);
  });

  it("follows on-chain cancels (cancel, setMinNonce) through the indexer", async () => {
    const exchange = IOptionsExchange__factory.connect(venue.exchange, await provider.getSigner(6));
    const carolsOpen = async () => (await ordersOf(carol)).filter((o) => o.state === "OPEN");
    const open = await carolsOpen();
    expect(open.length).to.equal(MAX_OPEN - 1);
    await (await exchange.cancel([open[0].hash])).wait();
    await eventually(
      async () => ((await carolsOpen()).length === MAX_OPEN - 2 ? true : undefined),
      "the on-chain cancel",
    );
    expect((await ordersOf(carol)).find((o) => o.hash === open[0].hash)?.state).to.equal("CANCELLED_ONCHAIN");
    await (await exchange.setMinNonce(100n)).wait();
    await eventually(async () => ((await carolsOpen()).length === 0 ? true : undefined), "setMinNonce");
    // The new minimum reached the book's cached state: an order below it is refused, nothing stored.
    const below = await order(carol, Side.Sell, WAD, 700n, 50n);
    const r = await http(url("/orders"), { body: below.body });
    expect([r.status, r.body.field, r.body.reason]).to.deep.equal([400, "order.nonce", "NonceBelowMin"]);
    expect((await ordersOf(carol)).length).to.equal(MAX_OPEN);
  });

  describe("the cached chain state: after a change, an order that would fail is refused, and a resting one evicted", () => {
    const erin = devWallet(10);
    const operator = devWallet(11);
    let clearing: ReturnType<typeof OptionsClearing__factory.connect>;
    let ws: WebSocket;
    const messages: Record<string, unknown>[] = [];
    /** The order is evicted for `reason`, on the API and on the stream. */
    const evictedFor = async (owner: HDNodeWallet, hash: string, reason: string) => {
      const o = await eventually(async () => {
        const found = (await ordersOf(owner)).find((x) => x.hash === hash);
        return found?.state === "EVICTED" ? found : undefined;
      }, `the eviction of ${hash}`);
      expect(o.reason).to.equal(reason);
      await eventually(
        async () =>
          messages.some(
            (m) => m.type === "order" && m.hash === hash && m.state === "EVICTED" && m.reason === reason,
          )
            ? true
            : undefined,
        "the eviction on the stream",
      );
    };
    /** Wait until the book has read the block of `tx` (its cache is refreshed before its indexer moves on). */
    const synced = async (tx: { wait(): Promise<{ blockNumber: number } | null> }) => {
      const receipt = (await tx.wait())!;
      await eventually(async () => {
        const h = await http<{ indexedBlock: number | null }>(url("/health"));
        return (h.body.indexedBlock ?? -1) >= receipt.blockNumber ? true : undefined;
      }, `the book at block ${receipt.blockNumber}`);
    };
    const erinOrder = (side: Side, price: bigint, nonce: bigint, signer: HDNodeWallet = erin) =>
      signedOrder(
        venue,
        erin,
        {
          accountId: accounts.get(erin.address)!,
          seriesId,
          side,
          amount: WAD,
          price: price * USDC_PER_CONTRACT,
          expiry: orderExpiry,
          nonce,
        },
        signer,
      );

    before(async () => {
      accounts.set(
        erin.address,
        await openFundedAccount(chain.record, await provider.getSigner(10), 20n * USDC),
      );
      clearing = OptionsClearing__factory.connect(
        chain.record.contracts.OptionsClearing,
        await provider.getSigner(10),
      );
      ws = new WebSocket(url("/stream").replace("http", "ws"));
      ws.on("message", (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
      await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    });
    after(() => ws?.close());

    it("refuses an operator's order once the owner has revoked the operator", async () => {
      await synced(await clearing.setOperator(operator.address, true));
      const byOperator = await erinOrder(Side.Sell, 900n, 0n, operator);
      const accepted = await http<{ hash: string }>(url("/orders"), { body: byOperator.body });
      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(201);

      await synced(await clearing.setOperator(operator.address, false));
      // The order the operator signed before, resting on the book, is evicted.
      await evictedFor(erin, accepted.body.hash, "SignerNotAuthorized");
      const before = await ordersOf(erin);
      const again = await erinOrder(Side.Sell, 901n, 1n, operator);
      const r = await http(url("/orders"), { body: again.body });
      expect([r.status, r.body.field, r.body.reason]).to.deep.equal([
        400,
        "order.signer",
        "SignerNotAuthorized",
      ]);
      expect(await ordersOf(erin)).to.deep.equal(before);
      // The exchange agrees.
      const exchange = IOptionsExchange__factory.connect(venue.exchange, provider);
      expect(await validateOrder(exchange, again.order, again.body.signature, WAD)).to.equal(
        "SignerNotAuthorized",
      );
    });

    it("refuses a buy whose premium the account can no longer pay once it has withdrawn its collateral", async () => {
      const bid = await erinOrder(Side.Buy, 5n, 2n);
      const accepted = await http<{ hash: string }>(url("/orders"), { body: bid.body });
      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(201);

      const vault = chain.record.contracts["CollateralVault.USDC"];
      const account = accounts.get(erin.address)!;
      const shares = await clearing.collateralOf(account, vault);
      await synced(await clearing.withdrawCollateral(account, vault, (shares * 9n) / 10n, erin.address));
      // The resting bid is evicted; a new one like it is refused; a smaller one it can still pay for is accepted.
      await evictedFor(erin, accepted.body.hash, "InsufficientMargin");
      expect((await bookOf()).bids.some((l) => l.price === (5n * USDC_PER_CONTRACT).toString())).to.equal(
        false,
      );
      const before = await ordersOf(erin);
      const again = await erinOrder(Side.Buy, 5n, 3n);
      const r = await http(url("/orders"), { body: again.body });
      expect([r.status, r.body.field, r.body.reason]).to.deep.equal([
        400,
        "order.accountId",
        "InsufficientMargin",
      ]);
      expect(await ordersOf(erin)).to.deep.equal(before);
      const small = await erinOrder(Side.Buy, 1n, 4n);
      const ok = await http<{ hash: string }>(url("/orders"), { body: small.body });
      expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
      const cancel = await signedCancel(venue, erin, ok.body.hash, nowSeconds() + 600n);
      expect((await http(url("/orders"), { method: "DELETE", body: cancel })).status).to.equal(200);
    });

    it("evicts a resting sell whose account falls below its initial margin on an oracle round", async () => {
      const writer = devWallet(12);
      const thin = await openThinShort(
        chain.record,
        await provider.getSigner(12),
        devWallet(13).address,
        seriesId,
        WAD,
      );
      const ask = await signedOrder(venue, writer, {
        accountId: thin,
        seriesId,
        side: Side.Sell,
        amount: WAD,
        price: 800n * USDC_PER_CONTRACT,
        expiry: orderExpiry,
      });
      const posted = await http<{ hash: string }>(url("/orders"), { body: ask.body });
      expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
      const admin = await provider.getSigner(0);
      await setMockPrice(chain.record, "WETH", CRASH_PRICE, admin);
      try {
        await evictedFor(writer, posted.body.hash, "InsufficientMargin");
        const h = await OptionsClearing__factory.connect(
          chain.record.contracts.OptionsClearing,
          provider,
        ).health(thin);
        expect(h.collateralValueWad < h.initialWad).to.equal(true);
      } finally {
        await setMockPrice(chain.record, "WETH", 2_000n * WAD, admin);
      }
    });
  });

  describe("reorgs, crashes and a PostgreSQL server", () => {
    it("survives a reorg: the dropped match goes back to PENDING, is sent again, fills once; a dropped cancel is undone", async () => {
      const ws = new WebSocket(url("/stream").replace("http", "ws"));
      const messages: Record<string, unknown>[] = [];
      ws.on("message", (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
      await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
      const exchange = IOptionsExchange__factory.connect(venue.exchange, await provider.getSigner(5));
      const clearing = OptionsClearing__factory.connect(chain.record.contracts.OptionsClearing, provider);
      const ask = (await ordersOf(alice)).find((o) => o.state === "OPEN" && o.remaining === WAD.toString())!;
      expect(await exchange.filled(ask.hash)).to.equal(WAD);
      const resting = await order(bob, Side.Buy, WAD, 10n, 7n);
      const restingHash = (await http<{ hash: string }>(url("/orders"), { body: resting.body })).body.hash;
      await eventually(async () => ((await bookOf()).bids.length === 1 ? true : undefined), "Bob's bid");

      const snapshot = (await provider.send("evm_snapshot", [])) as string;
      // Inside the window: Bob cancels his bid on-chain, and takes Alice's ask through the book.
      await (await exchange.cancel([restingHash])).wait();
      await eventually(
        async () =>
          (await ordersOf(bob)).find((o) => o.hash === restingHash)?.state === "CANCELLED_ONCHAIN"
            ? true
            : undefined,
        "the on-chain cancel",
      );
      const buy = await order(bob, Side.Buy, WAD, 40n, 8n);
      const taker = (await http<{ hash: string }>(url("/orders"), { body: buy.body })).body.hash;
      const trade = await eventually(
        async () =>
          (await http<TradesReply>(url("/trades"))).body.trades.find(
            (t) => t.takerHash === taker && t.status === "MINED",
          ),
        "the match mined",
      );
      expect(await exchange.filled(ask.hash)).to.equal(2n * WAD);

      expect(await provider.send("evm_revert", [snapshot])).to.equal(true);
      expect(await exchange.filled(ask.hash)).to.equal(WAD);
      // The cancel is gone with its block: the bid is open again.
      await eventually(
        async () =>
          (await ordersOf(bob)).find((o) => o.hash === restingHash)?.state === "OPEN" ? true : undefined,
        "the cancel undone",
      );
      // The match went back to PENDING and was sent again (or waits in the node's pool for a block).
      await eventually(
        async () =>
          messages.some(
            (m) =>
              m.type === "trade" &&
              m.matchId === trade.matchId &&
              m.status === "PENDING" &&
              messages.indexOf(m) >
                messages.findIndex(
                  (x) => x.type === "trade" && x.matchId === trade.matchId && x.status === "MINED",
                ),
          )
            ? true
            : undefined,
        "PENDING after the reorg",
      );
      await eventually(async () => {
        const t = (await http<TradesReply>(url("/trades"))).body.trades.find(
          (x) => x.matchId === trade.matchId,
        )!;
        // Mine only while the resent transaction is not in a block: extra blocks would let a slow indexer see it
        // already past the confirmation depth (CONFIRMED without MINED).
        if (t.status === "PENDING" && !(await inCanonicalBlock(t.txHash))) await mine(1);
        return t.status === "MINED" || t.status === "CONFIRMED" ? t : undefined;
      }, "mined again").catch((error: Error) => {
        throw new Error(
          `${error.message}; the book said:\n${book.output().split("\n").slice(-30).join("\n")}`,
        );
      });
      expect(
        (await http<TradesReply>(url("/trades"))).body.trades.find((x) => x.matchId === trade.matchId)!
          .status,
      ).to.not.equal("CONFIRMED");
      await mine(CONFIRMATIONS);
      await eventually(
        async () =>
          (await http<TradesReply>(url("/trades"))).body.trades.find((x) => x.matchId === trade.matchId)!
            .status === "CONFIRMED"
            ? true
            : undefined,
        "CONFIRMED",
      );
      // Filled exactly once on-chain.
      expect(await exchange.filled(ask.hash)).to.equal(2n * WAD);
      expect(await clearing.positionOf(accounts.get(bob.address)!, seriesId)).to.equal(2n * WAD);
      expect(await clearing.positionOf(accounts.get(alice.address)!, seriesId)).to.equal(-2n * WAD);
      ws.close();
    });

    it("loses no accepted order when the process is killed (SIGKILL) mid-load and restarted on the same folder", async () => {
      const dataDir = join(work, "crash-db");
      const env = bookEnv(chain, dataDir, { BOOK_MAX_OPEN_ORDERS: "10000" });
      let crashing = await startBookProcess(env);
      const bodies = await Promise.all(
        Array.from({ length: 160 }, (_, i) =>
          order(alice, Side.Sell, WAD, 100n + BigInt(i), 1_000n + BigInt(i)).then((o) => o.body),
        ),
      );
      const accepted: string[] = [];
      let next = 0;
      let killed = false;
      const worker = async () => {
        while (next < bodies.length && !killed) {
          const body = bodies[next++];
          try {
            const r = await http<{ hash: string }>(`${crashing.url}/orders`, { body });
            if (r.status === 201) accepted.push(r.body.hash);
          } catch {
            // The connection died with the process.
          }
          if (accepted.length >= 40 && !killed) {
            killed = true;
            await crashing.kill();
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      expect(killed).to.equal(true);
      expect(crashing.child.signalCode).to.equal("SIGKILL");
      expect(accepted.length).to.be.at.least(40);
      expect(accepted.length).to.be.below(bodies.length);

      crashing = await startBookProcess(env);
      try {
        const stored = (await http<OrdersReply>(`${crashing.url}/orders?owner=${alice.address}&limit=500`))
          .body.orders;
        const hashes = new Set(stored.map((o) => o.hash));
        const lost = accepted.filter((h) => !hashes.has(h));
        expect(lost, `lost ${lost.length} of ${accepted.length} accepted orders`).to.deep.equal([]);
        expect(stored.every((o) => o.state === "OPEN")).to.equal(true);
      } finally {
        await crashing.stop();
      }
    });

    it("runs two instances on one PostgreSQL database: one leader matches; SIGKILL it and the other takes over, no order filled twice", async () => {
      const cluster = await startPostgres();
      const instances: BookProcess[] = [];
      try {
        const env = bookEnv(chain, join(work, "unused-two"), {
          DATABASE_URL: cluster.url,
          BOOK_EXECUTOR_KEY: devWallet(8).privateKey,
          BOOK_CONFIRMATIONS: "1",
          BOOK_MAX_OPEN_ORDERS: "1000",
        });
        const isLeader = async (p: BookProcess) =>
          (await http<{ leader: boolean }>(`${p.url}/health`)).body.leader;
        const first = await startBookProcess(env);
        instances.push(first);
        await eventually(
          async () => ((await isLeader(first)) ? true : undefined),
          "the first instance leading",
        );
        const second = await startBookProcess(env);
        instances.push(second);
        // The second serves the API but does not lead while the first lives.
        for (let i = 0; i < 5; i++) {
          await new Promise((r) => setTimeout(r, 200));
          expect(await isLeader(second)).to.equal(false);
        }
        const pairs = 10;
        const tenth = WAD / 10n;
        const hashes: string[] = [];
        const post = async (p: BookProcess, body: unknown) => {
          const r = await http<{ hash: string }>(`${p.url}/orders`, { body });
          expect(r.status, JSON.stringify(r.body)).to.equal(201);
          hashes.push(r.body.hash);
        };
        const pair = async (p: BookProcess, i: number) => {
          await post(p, (await order(carol, Side.Sell, tenth, 60n, 2_000n + BigInt(i))).body);
          await post(p, (await order(bob, Side.Buy, tenth, 60n, 2_000n + BigInt(i))).body);
        };
        const sent = (p: BookProcess) => p.events().filter((e) => e.event === "sent").length;
        // Half through either API (both store in the one database); the leader alone matches.
        for (let i = 0; i < pairs / 2; i++) await pair(i % 2 === 0 ? first : second, i);
        await eventually(async () => (sent(first) >= 2 ? true : undefined), "the leader's matches");
        expect(sent(second)).to.equal(0);
        await first.kill();
        expect(first.child.signalCode).to.equal("SIGKILL");
        for (let i = pairs / 2; i < pairs; i++) await pair(second, i);
        await eventually(
          async () => ((await isLeader(second)) ? true : undefined),
          "the second instance leading",
        );
        const filledOnChain = IOptionsExchange__factory.connect(venue.exchange, provider);
        const fills = await eventually(async () => {
          const f = await Promise.all(hashes.map((h) => filledOnChain.filled(h)));
          return f.every((x) => x === tenth) ? f : undefined;
        }, "every order filled on-chain");
        // Exactly once each: never more than the order's amount, every trade on a mined transaction.
        expect(fills).to.deep.equal(hashes.map(() => tenth));
        expect(sent(second)).to.be.greaterThan(0);
        const trades = (await http<TradesReply>(`${second.url}/trades?limit=500`)).body.trades;
        expect(trades.length).to.equal(pairs);
        expect(trades.every((t) => t.status !== "FAILED")).to.equal(true);
        const taken = new Map<string, bigint>();
        for (const t of trades)
          for (const h of [t.makerHash, t.takerHash]) taken.set(h, (taken.get(h) ?? 0n) + BigInt(t.amount));
        expect([...taken.values()]).to.deep.equal(hashes.map(() => tenth));
      } finally {
        for (const p of instances) await p.stop();
        cluster.stop();
      }
    });

    it("runs on a PostgreSQL server through DATABASE_URL: accepted orders persist across a restart, refused ones are not stored", async () => {
      const cluster = await startPostgres();
      try {
        const env = bookEnv(chain, join(work, "unused-pglite"), { DATABASE_URL: cluster.url });
        let server = await startBookProcess(env);
        expect((await http(`${server.url}/health`)).body.database).to.equal("postgres");
        const good = await order(alice, Side.Sell, WAD, 300n, 5_000n);
        const posted = await http<{ hash: string }>(`${server.url}/orders`, { body: good.body });
        expect(posted.status).to.equal(201);
        const bad = await http(`${server.url}/orders`, { body: { ...good.body, chainId: "5" } });
        expect([bad.status, bad.body.field]).to.deep.equal([400, "chainId"]);
        await server.stop();
        server = await startBookProcess(env);
        try {
          const stored = (await http<OrdersReply>(`${server.url}/orders?owner=${alice.address}`)).body.orders;
          expect(stored.map((o) => o.hash)).to.deep.equal([posted.body.hash]);
        } finally {
          await server.stop();
        }
        const pg = new Client({ connectionString: cluster.url });
        await pg.connect();
        try {
          const rows = await pg.query<{ n: number }>("SELECT count(*)::int AS n FROM orders");
          expect(rows.rows[0].n).to.equal(1);
        } finally {
          await pg.end();
        }
      } finally {
        cluster.stop();
      }
    });
  });
});
