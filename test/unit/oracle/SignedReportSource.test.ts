import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HDNodeWallet, TypedDataDomain } from "ethers";
import type { SignedReportSource } from "../../../typechain-types";
import { WAD } from "../../../scripts/lib/math/wad";
import { median } from "../../../scripts/lib/oracle/median";
import {
  REPORT_TYPES,
  REPORT_TYPE_STRING,
  type SignedReport,
  reportDigest,
  reportDomain,
  signReport,
  sortBySigner,
  toCalldata,
} from "../../../scripts/lib/signing";
import {
  ASSET,
  configure,
  defaultParams,
  deployOracleBase,
  deploySignedSource,
} from "../../shared/fixtures/oracle";

const P = 3_000n * WAD;

describe("unit/oracle/SignedReportSource", () => {
  async function deploy() {
    const base = await deployOracleBase();
    const source = await deploySignedSource(base, 3);
    const reporters: HDNodeWallet[] = Array.from({ length: 5 }, () => ethers.Wallet.createRandom());
    for (const r of reporters) await source.connect(base.governor).setReporter(r.address, true);
    const { chainId } = await ethers.provider.getNetwork();
    const domain = reportDomain(chainId, await source.getAddress());
    return { ...base, source, reporters, domain };
  }

  /** Sign one report per wallet and return the batch sorted by signer. */
  async function batch(
    source: SignedReportSource,
    domain: TypedDataDomain,
    wallets: HDNodeWallet[],
    prices: bigint[],
    round: bigint,
    observedAt?: bigint[],
  ): Promise<SignedReport[]> {
    const t = BigInt(await time.latest());
    const asset = await source.asset();
    const signed = await Promise.all(
      wallets.map((w, i) =>
        signReport(w, domain, { asset, priceWad: prices[i], observedAt: observedAt?.[i] ?? t, round }),
      ),
    );
    return sortBySigner(signed);
  }

  it("accepts a batch of distinct authorised signers and stores the median and the oldest observation", async () => {
    const { source, domain, reporters, stranger } = await loadFixture(deploy);
    const t = BigInt(await time.latest());
    const prices = [P + 30n, P - 10n, P, P + 5n];
    const times = [t - 3n, t, t - 9n, t - 1n];
    const reports = await batch(source, domain, reporters.slice(0, 4), prices, 1n, times);
    const tx = source.connect(stranger).submit(1, toCalldata(reports));
    for (const r of reports) {
      await expect(tx).to.emit(source, "ReportAccepted").withArgs(1, r.signer, r.priceWad, r.observedAt);
    }
    const expected = median(prices);
    expect(expected).to.equal(P + 2n); // (P + P+5) / 2 rounded down
    await expect(tx)
      .to.emit(source, "RoundAccepted")
      .withArgs(1, expected, t - 9n, 4);
    expect(await source.latest()).to.deep.equal([expected, t - 9n]);
    expect(await source.lastRound()).to.equal(1n);
  });

  it("computes the same digest and type hash as the TypeScript helper", async () => {
    const { source, domain } = await loadFixture(deploy);
    expect(await source.REPORT_TYPEHASH()).to.equal(ethers.id(REPORT_TYPE_STRING));
    const report = { asset: ASSET, priceWad: P, observedAt: 123n, round: 9n };
    expect(await source.reportDigest(P, 123n, 9n)).to.equal(reportDigest(domain, report));
  });

  it("reverts NoReport before the first batch", async () => {
    const { source } = await loadFixture(deploy);
    await expect(source.latest()).to.be.revertedWithCustomError(source, "NoReport");
  });

  describe("rejects, leaving the state unchanged", () => {
    it("too few or too many signatures", async () => {
      const { source, domain, reporters } = await loadFixture(deploy);
      const two = await batch(source, domain, reporters.slice(0, 2), [P, P], 1n);
      await expect(source.submit(1, toCalldata(two)))
        .to.be.revertedWithCustomError(source, "InvalidSignerCount")
        .withArgs(2, 3, 31);
      const filler = { priceWad: P, observedAt: 0n, signature: "0x" };
      await expect(source.submit(1, Array(32).fill(filler)))
        .to.be.revertedWithCustomError(source, "InvalidSignerCount")
        .withArgs(32, 3, 31);
      expect(await source.lastRound()).to.equal(0n);
    });

    it("an unauthorised signer", async () => {
      const { source, domain, reporters } = await loadFixture(deploy);
      const outsider = ethers.Wallet.createRandom();
      const reports = await batch(source, domain, [...reporters.slice(0, 2), outsider], [P, P, P], 1n);
      const index = reports.findIndex((r) => r.signer === outsider.address);
      await expect(source.submit(1, toCalldata(reports)))
        .to.be.revertedWithCustomError(source, "UnauthorisedSigner")
        .withArgs(index, outsider.address);
    });

    it("a duplicate signer, and signers out of order", async () => {
      const { source, domain, reporters } = await loadFixture(deploy);
      const reports = await batch(source, domain, reporters.slice(0, 3), [P, P, P], 1n);
      const dup = [reports[0], reports[1], reports[1]];
      await expect(source.submit(1, toCalldata(dup)))
        .to.be.revertedWithCustomError(source, "DuplicateSigner")
        .withArgs(2, reports[1].signer);
      const reversed = [...reports].reverse();
      await expect(source.submit(1, toCalldata(reversed)))
        .to.be.revertedWithCustomError(source, "SignersNotAscending")
        .withArgs(1, reversed[1].signer, reversed[0].signer);
    });

    it("a replayed batch and a reordered (older) round", async () => {
      const { source, domain, reporters } = await loadFixture(deploy);
      const r1 = await batch(source, domain, reporters.slice(0, 3), [P, P, P], 1n);
      const r2 = await batch(source, domain, reporters.slice(0, 3), [P + 1n, P + 1n, P + 1n], 2n);
      await source.submit(2, toCalldata(r2));
      await expect(source.submit(2, toCalldata(r2)))
        .to.be.revertedWithCustomError(source, "RoundNotNewer")
        .withArgs(2, 2);
      await expect(source.submit(1, toCalldata(r1)))
        .to.be.revertedWithCustomError(source, "RoundNotNewer")
        .withArgs(1, 2);
      // Reports signed for round 1 relayed as round 3 recover to other addresses.
      await expect(source.submit(3, toCalldata(r1))).to.be.revertedWithCustomError(
        source,
        "UnauthorisedSigner",
      );
      await expect(source.submit(2n ** 64n, toCalldata(r2)))
        .to.be.revertedWithCustomError(source, "RoundNotNewer")
        .withArgs(2n ** 64n, 2);
      expect((await source.latest())[0]).to.equal(P + 1n);
    });

    it("an observation older than the last accepted one, or from the future", async () => {
      const { source, domain, reporters } = await loadFixture(deploy);
      const t = BigInt(await time.latest());
      const first = await batch(source, domain, reporters.slice(0, 3), [P, P, P], 1n, [t, t, t]);
      await source.submit(1, toCalldata(first));
      const older = await batch(source, domain, reporters.slice(0, 3), [P, P, P], 2n, [t, t - 1n, t]);
      const i = older.findIndex((r) => r.observedAt === t - 1n);
      await expect(source.submit(2, toCalldata(older)))
        .to.be.revertedWithCustomError(source, "ObservationOutOfOrder")
        .withArgs(i, t - 1n, t);
      const future = t + 1000n;
      const ahead = await batch(source, domain, reporters.slice(0, 3), [P, P, P], 2n, [t, future, t]);
      const j = ahead.findIndex((r) => r.observedAt === future);
      await expect(source.submit(2, toCalldata(ahead)))
        .to.be.revertedWithCustomError(source, "ObservationInFuture")
        .withArgs(j, future, (v: bigint) => v < future);
      expect(await source.lastRound()).to.equal(1n);
    });

    it("a report from a removed reporter", async () => {
      const { source, domain, reporters, governor } = await loadFixture(deploy);
      const reports = await batch(source, domain, reporters.slice(0, 3), [P, P, P], 1n);
      const removed = reporters[1];
      await expect(source.connect(governor).setReporter(removed.address, false))
        .to.emit(source, "ReporterSet")
        .withArgs(removed.address, false);
      expect(await source.reporterCount()).to.equal(4n);
      await expect(source.submit(1, toCalldata(reports)))
        .to.be.revertedWithCustomError(source, "UnauthorisedSigner")
        .withArgs(
          reports.findIndex((r) => r.signer === removed.address),
          removed.address,
        );
    });

    it("a signature over another chain id (or another contract) recovers to a stranger", async () => {
      const { source, domain, reporters } = await loadFixture(deploy);
      const otherChain = { ...domain, chainId: 1n };
      const reports = await batch(source, otherChain, reporters.slice(0, 3), [P, P, P], 1n);
      const t = reports[0].observedAt;
      const digest = ethers.TypedDataEncoder.hash(domain, REPORT_TYPES, {
        asset: ASSET,
        priceWad: P,
        observedAt: t,
        round: 1n,
      });
      const recovered = ethers.recoverAddress(digest, reports[0].signature);
      expect(recovered).to.not.equal(reports[0].signer);
      await expect(source.submit(1, toCalldata(reports)))
        .to.be.revertedWithCustomError(source, "UnauthorisedSigner")
        .withArgs(0, recovered);
      const otherContract = { ...domain, verifyingContract: ethers.Wallet.createRandom().address };
      const elsewhere = await batch(source, otherContract, reporters.slice(0, 3), [P, P, P], 1n);
      await expect(source.submit(1, toCalldata(elsewhere))).to.be.revertedWithCustomError(
        source,
        "UnauthorisedSigner",
      );
    });

    it("a malformed or high-s signature, a zero price, a price above 2^128 - 1", async () => {
      const { source, domain, reporters } = await loadFixture(deploy);
      const reports = await batch(source, domain, reporters.slice(0, 3), [P, P, P], 1n);
      const bad = toCalldata(reports);
      bad[1] = { ...bad[1], signature: "0x1234" };
      await expect(source.submit(1, bad))
        .to.be.revertedWithCustomError(source, "InvalidSignature")
        .withArgs(1);
      // The malleable twin (s' = n - s, v flipped) of a valid signature.
      const sig = ethers.Signature.from(reports[0].signature);
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const highS = ethers.concat([
        sig.r,
        ethers.toBeHex(n - BigInt(sig.s), 32),
        sig.v === 27 ? "0x1c" : "0x1b",
      ]);
      const malleable = toCalldata(reports);
      malleable[0] = { ...malleable[0], signature: highS };
      await expect(source.submit(1, malleable))
        .to.be.revertedWithCustomError(source, "InvalidSignature")
        .withArgs(0);
      const zero = await batch(source, domain, reporters.slice(0, 3), [P, 0n, P], 1n);
      await expect(source.submit(1, toCalldata(zero)))
        .to.be.revertedWithCustomError(source, "InvalidPrice")
        .withArgs(
          zero.findIndex((r) => r.priceWad === 0n),
          0,
        );
      const huge = await batch(source, domain, reporters.slice(0, 3), [P, 2n ** 128n, P], 1n);
      await expect(source.submit(1, toCalldata(huge)))
        .to.be.revertedWithCustomError(source, "InvalidPrice")
        .withArgs(
          huge.findIndex((r) => r.priceWad === 2n ** 128n),
          2n ** 128n,
        );
    });
  });

  describe("governance", () => {
    it("only governance sets reporters and the signer threshold", async () => {
      const { source, stranger } = await loadFixture(deploy);
      await expect(source.connect(stranger).setReporter(stranger.address, true))
        .to.be.revertedWithCustomError(source, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      await expect(source.connect(stranger).setMinSigners(1))
        .to.be.revertedWithCustomError(source, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    it("counts reporters, caps them at 31 and refuses the zero address", async () => {
      const { source, governor } = await loadFixture(deploy);
      const g = source.connect(governor);
      await expect(g.setReporter(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(
        source,
        "ZeroReporter",
      );
      const stranger = ethers.Wallet.createRandom().address;
      await g.setReporter(stranger, false); // not a reporter: no change
      expect(await source.reporterCount()).to.equal(5n);
      await g.setReporter(stranger, true);
      await g.setReporter(stranger, true); // again: no double count
      expect(await source.reporterCount()).to.equal(6n);
      expect(await source.isReporter(stranger)).to.equal(true);
      for (let i = 6; i < 31; i++) await g.setReporter(ethers.Wallet.createRandom().address, true);
      await expect(g.setReporter(ethers.Wallet.createRandom().address, true))
        .to.be.revertedWithCustomError(source, "TooManyReporters")
        .withArgs(31);
    });

    it("bounds the signer threshold", async () => {
      const { source, governor, gov } = await loadFixture(deploy);
      const g = source.connect(governor);
      await expect(g.setMinSigners(0))
        .to.be.revertedWithCustomError(source, "InvalidMinSigners")
        .withArgs(0, 31);
      await expect(g.setMinSigners(32))
        .to.be.revertedWithCustomError(source, "InvalidMinSigners")
        .withArgs(32, 31);
      await expect(g.setMinSigners(2)).to.emit(source, "MinSignersSet").withArgs(2);
      expect(await source.minSigners()).to.equal(2n);
      const factory = await ethers.getContractFactory("SignedReportSource");
      await expect(
        factory.deploy(await gov.manager.getAddress(), ethers.ZeroAddress, 1),
      ).to.be.revertedWithCustomError(factory, "ZeroAsset");
    });
  });

  it("feeds the aggregator beside other sources", async () => {
    const { source, domain, reporters, aggregator, governor } = await loadFixture(deploy);
    const reports = await batch(source, domain, reporters.slice(0, 3), [P, P + 2n, P + 4n], 1n);
    await source.submit(1, toCalldata(reports));
    await configure(aggregator, governor, [source], defaultParams(1));
    expect((await aggregator.getPrice(ASSET))[0]).to.equal(P + 2n);
  });
});
