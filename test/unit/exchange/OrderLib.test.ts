import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { TypedDataEncoder } from "ethers";
import {
  ORDER_TYPEHASH,
  ORDER_TYPES,
  buildOrder,
  exchangeDomain,
  hashOrder,
  orderFromJson,
  orderStructHash,
  orderToJson,
  signOrder,
  validateOrder,
  Side,
} from "../../../src/exchange/order";
import { WAD } from "../../../scripts/lib/math/wad";
import { alicePutSell, deployExchangeSystem } from "../../shared/fixtures/exchange";
import { USDC_UNIT } from "../../shared/fixtures/system";

describe("unit/exchange/order library (scripts/lib/exchange)", () => {
  const sample = buildOrder({
    accountId: 7n,
    owner: "0x00000000000000000000000000000000000a11ce",
    seriesId: 2n ** 200n + 5n,
    side: Side.Sell,
    amount: 3n * WAD,
    limitPremiumPerContract: 40n * USDC_UNIT,
    maxFeePerContract: 1n,
    expiry: 2_000_000_000n,
    nonce: 9n,
    executor: "0x00000000000000000000000000000000000e8ec0",
    flags: 3,
  });

  it("the typehash is the written type string's, ethers' encoding of the type, and the contract's", async () => {
    const typeString =
      "Order(uint256 accountId,address owner,address signer,uint256 seriesId,uint8 side,uint256 amount," +
      "uint256 limitPremiumPerContract,uint256 maxFeePerContract,uint64 expiry,uint256 nonce,address taker," +
      "address executor,uint8 flags)";
    expect(TypedDataEncoder.from(ORDER_TYPES).encodeType("Order")).to.equal(typeString);
    expect(ORDER_TYPEHASH).to.equal(ethers.id(typeString));
    const harness = await ethers.deployContract("OrderHashHarness");
    expect(await harness.typehash()).to.equal(ethers.id(typeString));
    expect(await harness.structHash(sample)).to.equal(orderStructHash(sample));
  });

  it("hashOrder equals the exchange's digest, under the exchange's EIP-712 domain", async () => {
    const { exchange } = await loadFixture(deployExchangeSystem);
    const { chainId } = await ethers.provider.getNetwork();
    const domain = exchangeDomain(await exchange.getAddress(), chainId);
    const onChain = await exchange.eip712Domain();
    expect([onChain.name, onChain.version, onChain.chainId, onChain.verifyingContract]).to.deep.equal([
      domain.name,
      domain.version,
      domain.chainId,
      domain.verifyingContract,
    ]);
    expect(await exchange.hashOrder(sample)).to.equal(hashOrder(domain, sample));
  });

  it("signs orders the exchange accepts, and refuses to sign for another signer", async () => {
    const sys = await loadFixture(deployExchangeSystem);
    const order = alicePutSell(sys);
    const signature = await signOrder(sys.alice, sys.domain, order);
    expect(await validateOrder(sys.exchange, order, signature, WAD)).to.equal("Valid");
    expect(await validateOrder(sys.exchange, order, signature, 2n * WAD)).to.equal("Overfill");
    expect(await validateOrder(sys.exchange, { ...order, nonce: 1n }, signature, WAD)).to.equal(
      "InvalidSignature",
    );
    await expect(signOrder(sys.bob, sys.domain, order)).to.be.rejectedWith(
      /signOrder: the order's signer is/,
    );
  });

  it("orders go through JSON unchanged; a bad side is refused", () => {
    const json = JSON.parse(JSON.stringify(orderToJson(sample))) as Record<string, unknown>;
    expect(orderFromJson(json)).to.deep.equal({
      ...sample,
      owner: ethers.getAddress(sample.owner),
      signer: ethers.getAddress(sample.signer),
      taker: ethers.ZeroAddress,
      executor: ethers.getAddress(sample.executor),
    });
    expect(() => orderFromJson({ ...json, side: 2 })).to.throw(/side 2 is neither/);
    expect(() => orderFromJson({ ...json, owner: undefined })).to.throw(/owner missing/);
  });

  it("the tasks sign an order to a file, fill it and cancel another", async () => {
    const sys = await loadFixture(deployExchangeSystem);
    const signers = await ethers.getSigners();
    const index = (address: string): number => signers.findIndex((s) => s.address === address);
    const dir = mkdtempSync(path.join(tmpdir(), "optiq-orders-"));
    const file = path.join(dir, "ask.json");
    const exchange = await sys.exchange.getAddress();
    const common = { exchange, side: "sell", series: sys.put.toString(), expiry: "1d", nonce: "0" };
    const signed = (await hre.run("sign-order", {
      ...common,
      signer: index(sys.alice.address),
      account: sys.aliceAccount.toString(),
      amount: "2",
      price: "40",
      maxFee: "0.25",
      out: file,
      reduceOnly: false,
      fillOrKill: false,
    })) as { hash: string };
    await hre.run("fill-order", {
      exchange,
      signer: index(sys.bob.address),
      order: file,
      account: sys.bobAccount.toString(),
      amount: "1.5",
      maxFee: "0.5",
    });
    expect(await sys.exchange.filled(signed.hash)).to.equal((3n * WAD) / 2n);
    expect(await sys.clearing.positionOf(sys.bobAccount, sys.put)).to.equal((3n * WAD) / 2n);
    await hre.run("cancel-order", { exchange, signer: index(sys.alice.address), order: file });
    expect(await sys.exchange.cancelled(sys.alice.address, signed.hash)).to.equal(true);
    await expect(
      hre.run("fill-order", {
        exchange,
        signer: index(sys.bob.address),
        order: file,
        account: sys.bobAccount.toString(),
        amount: "0.5",
        maxFee: "0.5",
      }),
    ).to.be.rejectedWith(/fill-order failed: the order does not fill: Cancelled/);
    await expect(
      hre.run("sign-order", {
        ...common,
        side: "hold",
        signer: 0,
        account: "1",
        amount: "1",
        price: "1",
        maxFee: "0",
        out: file,
        reduceOnly: false,
        fillOrKill: false,
      }),
    ).to.be.rejectedWith(/--side must be buy or sell, got 'hold'/);
  });
});
