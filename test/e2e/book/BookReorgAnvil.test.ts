/**
 * The order book's reorg handling on anvil (npm `@foundry-rs/anvil-linux-amd64`), a node that is not Hardhat's: the
 * project's deployment on anvil, `npm run book` as a process on a PGlite folder, then `evm_snapshot`, an on-chain
 * cancel and a match mined inside the window, and `evm_revert`. The dropped cancel is undone, the dropped match goes
 * back to PENDING, is sent again, and fills exactly once; it is CONFIRMED only after the configured blocks.
 */
import { expect } from "chai";
import type { HDNodeWallet, JsonRpcProvider } from "ethers";
import WebSocket from "ws";
import { IOptionsExchange__factory, OptionsClearing__factory } from "../../../typechain-types";
import {
  devWallet,
  eventually,
  http,
  startBookSession,
  type BookChain,
  type BookProcess,
  type BookSession,
} from "../../shared/bookService";
import { nowSeconds, Side, signedOrder, USDC_PER_CONTRACT, WAD, type Venue } from "./orders";
import { mined as receiptOf } from "../../shared/mined";

const CONFIRMATIONS = 2;

interface TradesReply {
  trades: { matchId: string; txHash: string; status: string; takerHash: string }[];
}
interface OrdersReply {
  orders: { hash: string; state: string }[];
}

describe("e2e/book/BookReorgAnvil (npm run book against anvil: a reorg by evm_snapshot/evm_revert)", function () {
  this.timeout(900_000);
  let session: BookSession | undefined;
  let chain: BookChain;
  let book: BookProcess;
  let provider: JsonRpcProvider;
  let venue: Venue;
  let seriesId: bigint;
  const alice = devWallet(4);
  const bob = devWallet(5);
  let accounts: Map<string, bigint>;
  let expiry: bigint;

  const url = (path: string) => `${book.url}${path}`;
  const stateOf = async (w: HDNodeWallet, hash: string) =>
    (await http<OrdersReply>(url(`/orders?owner=${w.address}`))).body.orders.find((o) => o.hash === hash)
      ?.state;
  const tradeOf = async (matchId: string) =>
    (await http<TradesReply>(url("/trades"))).body.trades.find((t) => t.matchId === matchId)!;
  const order = (w: HDNodeWallet, side: Side, price: bigint, nonce: bigint) =>
    signedOrder(venue, w, {
      accountId: accounts.get(w.address)!,
      seriesId,
      side,
      amount: WAD,
      price: price * USDC_PER_CONTRACT,
      expiry,
      nonce,
    });
  const post = async (body: unknown) => {
    const r = await http<{ hash: string }>(url("/orders"), { body });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body.hash;
  };
  const mine = (blocks: number) => provider.send("anvil_mine", [`0x${blocks.toString(16)}`]);
  const inCanonicalBlock = async (txHash: string): Promise<boolean> => {
    const receipt = await provider.getTransactionReceipt(txHash);
    if (receipt === null) return false;
    return (await provider.getBlock(receipt.blockNumber))?.hash === receipt.blockHash;
  };

  before(async function () {
    session = await startBookSession({
      name: "book-anvil",
      kind: "anvil",
      traders: [alice, bob],
      env: { BOOK_CONFIRMATIONS: String(CONFIRMATIONS) },
    });
    ({ chain, book, provider, seriesId, accounts } = session);
    venue = { exchange: chain.record.contracts.OptionsExchange, chainId: 31337n };
    expiry = nowSeconds() + 3600n;
  });

  after(() => session?.close());

  it("runs on anvil: the node is anvil, not Hardhat", async () => {
    expect(chain.node.kind).to.equal("anvil");
    expect(String(await provider.send("web3_clientVersion", []))).to.match(/anvil/i);
  });

  it("survives a reorg: the dropped match goes back to PENDING, is sent again, fills once; a dropped cancel is undone", async () => {
    const ws = new WebSocket(url("/stream").replace("http", "ws"));
    const messages: Record<string, unknown>[] = [];
    ws.on("message", (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    try {
      const exchange = IOptionsExchange__factory.connect(venue.exchange, await provider.getSigner(5));
      const clearing = OptionsClearing__factory.connect(chain.record.contracts.OptionsClearing, provider);
      const ask = await post((await order(alice, Side.Sell, 40n, 1n)).body);
      const bid = await post((await order(bob, Side.Buy, 10n, 7n)).body);

      const snapshot = (await provider.send("evm_snapshot", [])) as string;
      // Inside the window: Bob cancels his bid on-chain, and takes Alice's ask through the book.
      await receiptOf(exchange.cancel([bid]));
      await eventually(
        async () => ((await stateOf(bob, bid)) === "CANCELLED_ONCHAIN" ? true : undefined),
        "the on-chain cancel",
      );
      const taker = await post((await order(bob, Side.Buy, 40n, 8n)).body);
      const mined = await eventually(
        async () =>
          (await http<TradesReply>(url("/trades"))).body.trades.find(
            (t) => t.takerHash === taker && t.status === "MINED",
          ),
        "the match mined",
      );
      expect(await exchange.filled(ask)).to.equal(WAD);

      expect(await provider.send("evm_revert", [snapshot])).to.equal(true);
      expect(await exchange.filled(ask)).to.equal(0n);
      await eventually(
        async () => ((await stateOf(bob, bid)) === "OPEN" ? true : undefined),
        "the cancel undone",
      );
      await eventually(async () => {
        const minedAt = messages.findIndex(
          (m) => m.type === "trade" && m.matchId === mined.matchId && m.status === "MINED",
        );
        return messages.some(
          (m, i) =>
            i > minedAt && m.type === "trade" && m.matchId === mined.matchId && m.status === "PENDING",
        )
          ? true
          : undefined;
      }, "PENDING after the reorg");
      await eventually(async () => {
        const t = await tradeOf(mined.matchId);
        // Mine only while the resent transaction is not in a block (the confirmation depth must not be skipped).
        if (t.status === "PENDING" && !(await inCanonicalBlock(t.txHash))) await mine(1);
        return t.status === "MINED" ? t : undefined;
      }, "mined again").catch((error: Error) => {
        throw new Error(
          `${error.message}; the book said:\n${book.output().split("\n").slice(-30).join("\n")}`,
        );
      });
      expect((await tradeOf(mined.matchId)).status).to.not.equal("CONFIRMED");
      await mine(CONFIRMATIONS);
      await eventually(
        async () => ((await tradeOf(mined.matchId)).status === "CONFIRMED" ? true : undefined),
        "CONFIRMED",
      );
      // Filled exactly once on-chain.
      expect(await exchange.filled(ask)).to.equal(WAD);
      expect(await clearing.positionOf(accounts.get(bob.address)!, seriesId)).to.equal(WAD);
      expect(await clearing.positionOf(accounts.get(alice.address)!, seriesId)).to.equal(-WAD);
    } finally {
      ws.close();
    }
  });
});
