/**
 * The book's signature check (scripts/book/validation/ecdsa.ts): libsecp256k1 is what runs on this machine; it and the
 * JavaScript fallback recover the signer ethers does for any key and digest (seeded property); and a signature the
 * exchange refuses (OpenZeppelin's ECDSA: v 27 or 28 only, low s, r and s in range) recovers to nobody, where ethers
 * alone would name a signer.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { SigningKey, Signature } from "ethers";
import {
  ECDSA_BACKEND,
  javascriptRecover,
  nativeRecover,
  recoverSigner,
} from "../../../scripts/book/validation/ecdsa";
import { hashOrder, signOrder, validateOrder } from "../../../src/exchange/order";
import { alicePutSell, deployExchangeSystem } from "../../shared/fixtures/exchange";
import { fuzzParams } from "../../shared/fuzz";
import { WAD } from "../../../scripts/lib/math/wad";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const word = (n: bigint) => n.toString(16).padStart(64, "0");
/** A 65-byte signature from its parts. */
const packed = (r: bigint, s: bigint, v: number) =>
  `0x${word(r)}${word(s)}${v.toString(16).padStart(2, "0")}`;

describe("unit/book/ecdsa (the exchange's signature rules, in libsecp256k1)", () => {
  it("runs libsecp256k1 through the secp256k1 package's prebuilt addon on this machine", () => {
    expect(ECDSA_BACKEND).to.equal("libsecp256k1 (native)");
    expect(nativeRecover).to.not.equal(undefined);
  });

  it("recovers the signer ethers recovers, natively and in JavaScript, for any key and digest (seeded)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: N - 1n }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (key, bytes) => {
          const signer = new SigningKey(`0x${word(key)}`);
          const digest = ethers.hexlify(bytes);
          const signature = signer.sign(digest).serialized;
          const address = ethers.computeAddress(signer.publicKey).toLowerCase();
          expect(recoverSigner(digest, signature)).to.equal(address);
          expect(recoverSigner(digest, signature, javascriptRecover)).to.equal(address);
          expect(ethers.recoverAddress(digest, signature).toLowerCase()).to.equal(address);
        },
      ),
      fuzzParams(200),
    );
  });

  it("recovers nobody from a signature the exchange refuses, where ethers would name a signer", async () => {
    const sys = await loadFixture(deployExchangeSystem);
    const order = alicePutSell(sys);
    const digest = hashOrder(sys.domain, order);
    const good = Signature.from(await signOrder(sys.alice, sys.domain, order));
    const r = BigInt(good.r);
    const s = BigInt(good.s);
    expect(recoverSigner(digest, good.serialized)).to.equal(sys.alice.address.toLowerCase());
    expect(await validateOrder(sys.exchange, order, good.serialized, WAD)).to.equal("Valid");

    // v 0 or 1 for 27 or 28: ethers takes it, the exchange does not.
    const vLow = packed(r, s, good.v - 27);
    expect(ethers.recoverAddress(digest, vLow)).to.equal(sys.alice.address);
    expect(await validateOrder(sys.exchange, order, vLow, WAD)).to.equal("InvalidSignature");
    expect(recoverSigner(digest, vLow)).to.equal(null);

    // The same point's other s (n - s, the high half), with the other parity: the exchange refuses malleated ones.
    const highS = packed(r, N - s, good.v === 27 ? 28 : 27);
    expect(await validateOrder(sys.exchange, order, highS, WAD)).to.equal("InvalidSignature");
    expect(recoverSigner(digest, highS)).to.equal(null);

    for (const refused of [
      packed(0n, s, good.v),
      packed(r, 0n, good.v),
      packed(N, s, good.v),
      packed(r, s, 29),
      good.serialized.slice(0, -2),
      `${good.serialized}00`,
      `0x${"zz".repeat(65)}`,
    ])
      expect(recoverSigner(digest, refused), refused).to.equal(null);
  });

  it("recovers nobody from an r that is no point's x coordinate, natively and in JavaScript", () => {
    // x = 5 has no y on secp256k1 (5³ + 7 = 132 is not a square mod p).
    const digest = ethers.id("no point");
    const signature = packed(5n, 1n, 27);
    expect(recoverSigner(digest, signature)).to.equal(null);
    expect(recoverSigner(digest, signature, javascriptRecover)).to.equal(null);
  });
});
