/**
 * The integrator package's order book client (src/book/) against the real service: `npm run book` as a process on a
 * real `npx hardhat node` with the project's deployment and a PGlite folder. Orders posted through the client are the
 * exchange's own (its `hashOrder` agrees), refusals come back as BookApiError with the service's field, cancels and
 * reads are typed, and the stream shows a cross going PENDING/MINED → CONFIRMED with the position moved on-chain, and
 * an order the matcher's simulation evicts as an `order` message.
 */
import { expect } from "chai";
import type { HDNodeWallet, JsonRpcProvider } from "ethers";
import WebSocket from "ws";
import { IOptionsExchange__factory, OptionsClearing__factory } from "../../../typechain-types";
import { BookApiError, BookClient, Side, type BookStreamMessage } from "../../../src";
import { openFundedAccount } from "../../shared/fixtures/book";
import {
  devWallet,
  eventually,
  startBookSession,
  type BookChain,
  type BookProcess,
  type BookSession,
} from "../../shared/bookService";

const WAD = 10n ** 18n;
const USDC = 10n ** 6n;
/** Quote units per 1e18 contracts: 1 USDC a contract. */
const USDC_PER_CONTRACT = 10n ** 6n;
const CONFIRMATIONS = 2;

async function refusal(attempt: Promise<unknown>): Promise<BookApiError> {
  try {
    await attempt;
  } catch (error) {
    if (error instanceof BookApiError) return error;
    throw error;
  }
  throw new Error("the book accepted what it should refuse");
}

describe("e2e/book/BookClient (the package's client against npm run book)", function () {
  this.timeout(600_000);
  let session: BookSession | undefined;
  let chain: BookChain;
  let book: BookProcess;
  let provider: JsonRpcProvider;
  let client: BookClient;
  let seriesId: bigint;
  let expiry: bigint;
  const alice = devWallet(4);
  const bob = devWallet(5);
  const stranger = devWallet(9);
  let accounts: Map<string, bigint>;

  /** An order of `owner`'s account at `usdc` a contract. */
  const order = (owner: HDNodeWallet, side: Side, amount: bigint, usdc: bigint, nonce = 0n) => ({
    accountId: accounts.get(owner.address)!,
    seriesId,
    side,
    amount,
    limitPremiumPerContract: usdc * USDC_PER_CONTRACT,
    maxFeePerContract: 0n,
    expiry,
    nonce,
  });
  const sell = (amount: bigint, usdc: bigint, nonce = 0n) => order(alice, Side.Sell, amount, usdc, nonce);

  before(async function () {
    session = await startBookSession({
      name: "book-client",
      traders: [alice, bob],
      env: { BOOK_CONFIRMATIONS: String(CONFIRMATIONS) },
    });
    ({ chain, book, provider, seriesId, accounts } = session);
    const latest = await provider.getBlock("latest");
    expiry = BigInt(Math.max(latest!.timestamp, Math.floor(Date.now() / 1000))) + 3600n;
    client = await BookClient.connect(`${book.url}/`, { WebSocket });
  });

  after(() => session?.close());

  it("connects through /health: the chain and the exchange of the deployment", async () => {
    expect(client.chainId).to.equal(31337n);
    expect(client.exchange).to.equal(chain.record.contracts.OptionsExchange);
    expect(client.url).to.equal(book.url);
    expect((await client.health()).matcher).to.equal(devWallet(8).address);
  });

  it("posts an order signed through the order library: the exchange hashes it the same, the book shows it", async () => {
    const posted = await client.post(alice, sell(WAD, 55n));
    const exchange = IOptionsExchange__factory.connect(chain.record.contracts.OptionsExchange, provider);
    expect(posted.hash).to.equal(await exchange.hashOrder(posted.order));
    expect(posted.state).to.equal("OPEN");
    expect(posted.order.owner).to.equal(alice.address);
    expect(posted.order.signer).to.equal(alice.address);
    // The signature is one the exchange accepts for the whole amount (status 0 = Valid).
    expect(await exchange.validate(posted.order, posted.signature, WAD)).to.equal(0n);

    const mine = (await client.orders(alice.address)).orders.find((o) => o.hash === posted.hash);
    expect(mine).to.deep.include({ state: "OPEN", remaining: WAD.toString(), reason: null });
    const snapshot = await client.book(seriesId);
    expect(snapshot.seriesId).to.equal(seriesId.toString());
    expect(snapshot.asks).to.deep.include({
      price: (55n * USDC_PER_CONTRACT).toString(),
      amount: WAD.toString(),
      orders: 1,
    });
  });

  it("throws BookApiError with the service's JSON error on a refusal, and nothing is stored", async () => {
    const before = await client.orders(alice.address);
    const tooShort = await refusal(
      client.post(alice, { ...sell(WAD, 56n), expiry: BigInt(Math.floor(Date.now() / 1000)) + 5n }),
    );
    expect(tooShort.status).to.equal(400);
    expect(tooShort.field).to.equal("order.expiry");
    expect(tooShort.body.error).to.contain("order.expiry");
    expect(tooShort.message).to.contain("400").and.contain("order.expiry");

    const unknown = await refusal(client.post(alice, { ...sell(WAD, 56n), seriesId: 424242n }));
    expect([unknown.status, unknown.field, unknown.reason]).to.deep.equal([
      404,
      "order.seriesId",
      "SeriesNotTradable",
    ]);

    const offTick = await refusal(
      client.post(alice, { ...sell(WAD, 56n), limitPremiumPerContract: 56n * USDC_PER_CONTRACT + 1n }),
    );
    expect([offTick.status, offTick.field]).to.deep.equal([400, "order.limitPremiumPerContract"]);
    expect(await client.orders(alice.address)).to.deep.equal(before);
  });

  it("cancels with a signed message by the owner only; the level leaves the book", async () => {
    const posted = await client.post(alice, sell(WAD, 60n, 1n));
    const level = () =>
      client.book(seriesId).then((b) => b.asks.find((l) => l.price === (60n * USDC_PER_CONTRACT).toString()));
    expect(await level()).to.not.equal(undefined);

    const foreign = await refusal(client.cancel(stranger, posted.hash));
    expect([foreign.status, foreign.field]).to.deep.equal([403, "signature"]);
    expect(await level()).to.not.equal(undefined);

    const late = await refusal(
      client.cancel(alice, posted.hash, BigInt(Math.floor(Date.now() / 1000)) - 10n),
    );
    expect([late.status, late.field]).to.deep.equal([400, "cancel.deadline"]);

    const cancelled = await client.cancel(alice, posted.hash);
    expect(cancelled).to.deep.equal({ hash: posted.hash, state: "CANCELLED", reserved: "0" });
    expect(await level()).to.equal(undefined);
    const state = (await client.orders(alice.address)).orders.find((o) => o.hash === posted.hash)?.state;
    expect(state).to.equal("CANCELLED");

    const again = await refusal(client.cancel(alice, posted.hash));
    expect([again.status, again.field]).to.deep.equal([409, "cancel.orderHash"]);
  });

  it("streams a cross: level deltas, then the trade PENDING/MINED → CONFIRMED; the position moved on-chain", async () => {
    const messages: BookStreamMessage[] = [];
    const subscription = client.subscribe((m) => messages.push(m));
    const hello = await subscription.ready;
    expect(hello).to.deep.equal({
      type: "hello",
      chainId: "31337",
      exchange: chain.record.contracts.OptionsExchange,
    });
    try {
      const maker = await client.post(alice, sell(2n * WAD, 40n, 2n));
      const taker = await client.post(bob, order(bob, Side.Buy, WAD, 45n));
      const tradeOf = async () =>
        (await client.trades({ seriesId })).find((t) => t.takerHash === taker.hash && t.status !== "PENDING");
      const mined = await eventually(tradeOf, "the trade in a block");
      // At the maker's price, never the taker's limit.
      expect(mined).to.deep.include({
        makerHash: maker.hash,
        maker: alice.address,
        taker: bob.address,
        takerSide: "buy",
        amount: WAD.toString(),
        price: (40n * USDC_PER_CONTRACT).toString(),
      });
      await provider.send("hardhat_mine", [`0x${CONFIRMATIONS.toString(16)}`]);
      const confirmed = await eventually(
        async () =>
          (await client.trades({ seriesId, limit: 5 })).find(
            (t) => t.takerHash === taker.hash && t.status === "CONFIRMED",
          ),
        "the trade confirmed",
      );
      const clearing = OptionsClearing__factory.connect(chain.record.contracts.OptionsClearing, provider);
      expect(await clearing.positionOf(accounts.get(bob.address)!, seriesId)).to.equal(WAD);
      expect(await clearing.positionOf(accounts.get(alice.address)!, seriesId)).to.equal(-WAD);
      const receipt = await provider.getTransactionReceipt(confirmed.txHash);
      expect(receipt?.status).to.equal(1);

      await eventually(
        async () =>
          messages.find(
            (m) => m.type === "trade" && m.matchId === confirmed.matchId && m.status === "CONFIRMED",
          ),
        "the CONFIRMED message on the stream",
      );
      const statuses = messages
        .filter((m) => m.type === "trade" && m.matchId === confirmed.matchId)
        .map((m) => m.type === "trade" && m.status);
      expect(statuses[0]).to.be.oneOf(["PENDING", "MINED"]);
      expect(statuses.at(-1)).to.equal("CONFIRMED");
      const askAt40 = messages.filter(
        (m) => m.type === "level" && m.side === "sell" && m.price === (40n * USDC_PER_CONTRACT).toString(),
      );
      expect(askAt40[0]).to.deep.include({ amount: (2n * WAD).toString(), orders: 1 });
      expect(askAt40.at(-1)).to.deep.include({ amount: WAD.toString(), orders: 1 });
      expect(
        (await client.orders(alice.address)).orders.find((o) => o.hash === maker.hash)?.remaining,
      ).to.equal(WAD.toString());
    } finally {
      subscription.close();
    }
    expect((await subscription.closed).code).to.equal(1000);
  });

  it("streams an eviction as an `order` message: a seller without margin, evicted by the match simulation", async () => {
    const poor = devWallet(7);
    const poorAccount = await openFundedAccount(chain.record, await provider.getSigner(7), 1n * USDC);
    const messages: BookStreamMessage[] = [];
    const subscription = client.subscribe((m) => messages.push(m));
    await subscription.ready;
    try {
      const ask = await client.post(poor, { ...sell(WAD, 30n), accountId: poorAccount });
      const bid = await client.post(bob, order(bob, Side.Buy, WAD, 30n, 30n));
      const evicted = await eventually(
        async () => messages.find((m) => m.type === "order" && m.hash === ask.hash),
        "the eviction on the stream",
      );
      expect(evicted).to.deep.equal({
        type: "order",
        hash: ask.hash,
        state: "EVICTED",
        reason: "BelowInitialMargin",
      });
      const view = (await client.orders(poor.address)).orders.find((o) => o.hash === ask.hash);
      expect([view?.state, view?.reason]).to.deep.equal(["EVICTED", "BelowInitialMargin"]);
      expect(messages.some((m) => m.type === "order" && m.hash === bid.hash)).to.equal(false);
      // The bid rests: take it off for good measure.
      expect((await client.cancel(bob, bid.hash)).state).to.equal("CANCELLED");
    } finally {
      subscription.close();
    }
  });
});
