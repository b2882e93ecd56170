/**
 * A Safe signs orders through ERC-1271: its owners sign the order's digest as a SafeMessage, the exchange asks the
 * Safe (its CompatibilityFallbackHandler) whether the packed signatures are valid, and the Safe answers with its
 * threshold. Here the Safe is the approved operator of Alice's account, so Alice's positions trade on the Safe's word.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../../scripts/lib/math/wad";
import { deploySafeInfrastructure, createSafe } from "../../../scripts/lib/safe/deploy";
import { signSafeMessage } from "../../../scripts/lib/safe/message";
import { packSignatures } from "../../../scripts/lib/safe/signatures";
import { buildOrder, Side } from "../../../src/exchange/order";
import { deployExchangeSystem, MAKER_FEE, PUT_PREMIUM, TAKER_FEE } from "../../shared/fixtures/exchange";
import { DAY } from "../../shared/fixtures/system";

/** ORDER_STATUSES: Valid, ..., SignerNotAuthorized (10), InvalidSignature (11). */
const VALID = 0n;
const SIGNER_NOT_AUTHORIZED = 10n;
const INVALID_SIGNATURE = 11n;

async function safeSigning() {
  const sys = await deployExchangeSystem();
  const signers = await ethers.getSigners();
  const owners = signers.slice(10, 13);
  const infra = await deploySafeInfrastructure(sys.deployer);
  const safe = await createSafe(
    infra,
    sys.deployer,
    owners.map((o) => o.address),
    2n,
  );
  const safeAddress = await safe.getAddress();
  await sys.clearing.connect(sys.alice).setOperator(safeAddress, true);
  const { chainId } = await ethers.provider.getNetwork();
  /** Alice's sell order with the Safe as its signer, and the digest the owners sign. */
  const safeOrder = buildOrder({
    accountId: sys.aliceAccount,
    owner: sys.alice.address,
    signer: safeAddress,
    seriesId: sys.put,
    side: Side.Sell,
    amount: WAD,
    limitPremiumPerContract: PUT_PREMIUM,
    maxFeePerContract: MAKER_FEE,
    expiry: BigInt((await time.latest()) + DAY),
  });
  const hash = await sys.exchange.hashOrder(safeOrder);
  const sign = (who: typeof owners, digest = hash) =>
    Promise.all(who.map((o) => signSafeMessage(o, chainId, safeAddress, digest))).then(packSignatures);
  return { ...sys, owners, safe, safeAddress, chainId, safeOrder, hash, sign };
}

describe("unit/exchange/OptionsExchange with a Safe signer (ERC-1271)", () => {
  it("fills an order the Safe's owners signed up to its threshold", async () => {
    const s = await loadFixture(safeSigning);
    const signature = await s.sign([s.owners[2], s.owners[0]]);
    expect(await s.exchange.validate(s.safeOrder, signature, WAD)).to.equal(VALID);
    await expect(s.exchange.connect(s.bob).fill(s.safeOrder, signature, WAD, s.bobAccount, TAKER_FEE))
      .to.emit(s.exchange, "OrderFilled")
      .withArgs(
        s.hash,
        s.aliceAccount,
        s.bobAccount,
        s.put,
        WAD,
        s.safeOrder.limitPremiumPerContract,
        MAKER_FEE,
        TAKER_FEE,
      );
    expect(await s.clearing.positionOf(s.aliceAccount, s.put)).to.equal(-WAD);
    expect(await s.clearing.positionOf(s.bobAccount, s.put)).to.equal(WAD);
    expect(await s.exchange.filled(s.hash)).to.equal(WAD);
  });

  it("refuses one owner below the threshold, and owners' signatures of another order", async () => {
    const s = await loadFixture(safeSigning);
    const one = await s.sign([s.owners[1]]);
    expect(await s.exchange.validate(s.safeOrder, one, WAD)).to.equal(INVALID_SIGNATURE);
    await expect(s.exchange.connect(s.bob).fill(s.safeOrder, one, WAD, s.bobAccount, TAKER_FEE))
      .to.be.revertedWithCustomError(s.exchange, "InvalidSignature")
      .withArgs(s.hash, s.safeAddress);
    const other = await s.sign([s.owners[0], s.owners[1]], ethers.keccak256("0x01"));
    expect(await s.exchange.validate(s.safeOrder, other, WAD)).to.equal(INVALID_SIGNATURE);
    expect(await s.exchange.filled(s.hash)).to.equal(0n);
    expect(await s.clearing.positionOf(s.aliceAccount, s.put)).to.equal(0n);
  });

  it("stops honouring the Safe once the account's owner revokes it as operator", async () => {
    const s = await loadFixture(safeSigning);
    const signature = await s.sign([s.owners[0], s.owners[1]]);
    await s.clearing.connect(s.alice).setOperator(s.safeAddress, false);
    expect(await s.exchange.validate(s.safeOrder, signature, WAD)).to.equal(SIGNER_NOT_AUTHORIZED);
    await expect(s.exchange.connect(s.bob).fill(s.safeOrder, signature, WAD, s.bobAccount, TAKER_FEE))
      .to.be.revertedWithCustomError(s.exchange, "SignerNotAuthorized")
      .withArgs(s.hash, s.alice.address, s.safeAddress);
  });
});
