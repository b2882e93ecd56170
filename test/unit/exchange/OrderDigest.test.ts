/**
 * The order digest without the generic encoder (src/exchange/orderDigest.ts): equal to ethers' TypedDataEncoder
 * (`hashOrder`) for any order (seeded property; with ethers' keccak and with the book's native one) and to the
 * exchange's own `hashOrder` at the extremes of every field; a field out of its EIP-712 type's range is refused by name
 * rather than hashed.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  buildOrder,
  exchangeDomain,
  hashOrder,
  orderStructHash,
  Side,
  type Order,
} from "../../../src/exchange/order";
import { fastOrderStructHash, orderDigester } from "../../../src/exchange/orderDigest";
import { deployExchangeSystem } from "../../shared/fixtures/exchange";
import { fuzzParams } from "../../shared/fuzz";
import { KECCAK_BACKEND, keccak256Fast } from "../../../scripts/book/validation/keccak";

const MAX_UINT256 = 2n ** 256n - 1n;
const MAX_UINT64 = 2n ** 64n - 1n;

const hexAddress = fc.uint8Array({ minLength: 20, maxLength: 20 }).chain((bytes) =>
  fc.constantFrom("lower", "checksum", "upper").map((style) => {
    const lower = ethers.hexlify(bytes);
    if (style === "lower") return lower;
    if (style === "checksum") return ethers.getAddress(lower);
    return "0x" + lower.slice(2).toUpperCase();
  }),
);
const uint256 = fc.bigInt({ min: 0n, max: MAX_UINT256 });

const anyOrder: fc.Arbitrary<Order> = fc.record({
  accountId: uint256,
  owner: hexAddress,
  signer: hexAddress,
  seriesId: uint256,
  side: fc.constantFrom(Side.Buy, Side.Sell),
  amount: uint256,
  limitPremiumPerContract: uint256,
  maxFeePerContract: uint256,
  expiry: fc.bigInt({ min: 0n, max: MAX_UINT64 }),
  nonce: uint256,
  taker: hexAddress,
  executor: hexAddress,
  flags: fc.integer({ min: 0, max: 255 }),
});

const base = buildOrder({
  accountId: 1n,
  owner: "0x00000000000000000000000000000000000a11ce",
  seriesId: 2n,
  side: Side.Sell,
  amount: 10n ** 18n,
  limitPremiumPerContract: 40n * 10n ** 6n,
  maxFeePerContract: 0n,
  expiry: 2_000_000_000n,
});

describe("unit/exchange/OrderDigest (the order digest without the generic encoder)", () => {
  const domain = exchangeDomain("0x" + "ab".repeat(20), 31337n);

  it("equals ethers' TypedDataEncoder for any order, addresses in any case, with either keccak (seeded)", () => {
    const digest = orderDigester(domain);
    const nativeDigest = orderDigester(domain, keccak256Fast);
    expect(KECCAK_BACKEND).to.equal("native");
    fc.assert(
      fc.property(anyOrder, (order) => {
        expect(fastOrderStructHash(order)).to.equal(orderStructHash(order));
        expect(digest(order)).to.equal(hashOrder(domain, order));
        expect(nativeDigest(order)).to.equal(hashOrder(domain, order));
      }),
      fuzzParams(500),
    );
  });

  it("equals the exchange's hashOrder at the extremes of every field", async () => {
    const { exchange } = await loadFixture(deployExchangeSystem);
    const { chainId } = await ethers.provider.getNetwork();
    const onChain = exchangeDomain(await exchange.getAddress(), chainId);
    const digest = orderDigester(onChain);
    const top = "0x" + "ff".repeat(20);
    const extremes: Order[] = [
      base,
      { ...base, accountId: 0n, seriesId: 0n, amount: 0n, limitPremiumPerContract: 0n, expiry: 0n, flags: 0 },
      {
        ...base,
        accountId: MAX_UINT256,
        owner: top,
        signer: top,
        seriesId: MAX_UINT256,
        side: Side.Buy,
        amount: MAX_UINT256,
        limitPremiumPerContract: MAX_UINT256,
        maxFeePerContract: MAX_UINT256,
        expiry: MAX_UINT64,
        nonce: MAX_UINT256,
        taker: top,
        executor: top,
        flags: 255,
      },
    ];
    for (const order of extremes) expect(digest(order)).to.equal(await exchange.hashOrder(order));
  });

  it("refuses a field outside its type, naming it", () => {
    const digest = orderDigester(domain);
    const cases: [Partial<Order>, RegExp][] = [
      [{ expiry: MAX_UINT64 + 1n }, /^order\.expiry: .* is not a uint64$/],
      [{ flags: 256 }, /^order\.flags: 256 is not a uint8$/],
      [{ amount: -1n }, /^order\.amount: -1 is not a uint256$/],
      [{ nonce: MAX_UINT256 + 1n }, /^order\.nonce: .* is not a uint256$/],
      [{ owner: "0x1234" }, /^order\.owner: 0x1234 is not a 20-byte address$/],
      [{ executor: "0x" + "g".repeat(40) }, /^order\.executor: .* is not a 20-byte address$/],
    ];
    for (const [change, message] of cases)
      expect(() => digest({ ...base, ...change })).to.throw(RangeError, message);
  });
});
