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
  toCalldata,
} from "../../../scripts/lib/signing";
import {
  ASSET,
  HEARTBEAT,
  configure,
  defaultParams,
  deployOracleBase,
  deploySignedSource,
} from "../../shared/fixtures/oracle";

const P = 3_000n * WAD;
const MAX_AGE = HEARTBEAT; // the fixture's maxReportAgeSeconds

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

  /** One report per wallet, in the wallets' order, observed at the latest block's time unless given. */
  async function sign(
    source: SignedReportSource,
    domain: TypedDataDomain,
    wallets: HDNodeWallet[],
    prices: bigint[],
    observedAt?: bigint[],
  ): Promise<SignedReport[]> {
    const t = BigInt(await time.latest());
    const asset = await source.asset();
    return Promise.all(
      wallets.map((w, i) =>
        signReport(w, domain, { asset, priceWad: prices[i], observedAt: observedAt?.[i] ?? t }),
      ),
    );
  }

  /** Every reporter's stored report and the source's answer (or its error), to compare before and after. */
  async function snapshot(source: SignedReportSource, reporters: HDNodeWallet[]) {
    const reports = await Promise.all(reporters.map((r) => source.reportOf(r.address)));
    let answer: unknown;
    try {
      answer = await source.latest();
    } catch (e) {
      answer = (e as Error).message;
    }
    return { reports, answer };
  }

  it("stores each signer's report and serves the median of the fresh ones, observed at the oldest", async () => {
    const { source, domain, reporters, stranger } = await loadFixture(deploy);
    const t = BigInt(await time.latest());
    const prices = [P + 30n, P - 10n, P, P + 5n];
    const times = [t - 3n, t, t - 9n, t - 1n];
    const reports = await sign(source, domain, reporters.slice(0, 4), prices, times);
    const tx = source.connect(stranger).submit(toCalldata(reports));
    for (const r of reports) {
      await expect(tx).to.emit(source, "ReportAccepted").withArgs(r.signer, r.priceWad, r.observedAt);
    }
    const expected = median(prices);
    expect(expected).to.equal(P + 2n); // (P + P+5) / 2 rounded down
    await expect(tx)
      .to.emit(source, "PriceUpdated")
      .withArgs(expected, t - 9n, 4);
    expect(await source.latest()).to.deep.equal([expected, t - 9n]);
    for (const r of reports)
      expect(await source.reportOf(r.signer)).to.deep.equal([r.priceWad, r.observedAt]);
    expect(await source.reportOf(reporters[4].address)).to.deep.equal([0n, 0n]);
  });

  it("a relayer cannot choose which reports count: a subset relayed first is completed by the rest", async () => {
    const { source, domain, reporters, stranger } = await loadFixture(deploy);
    const prices = [P - 20n, P - 10n, P, P + 10n, P + 20n];
    const all = await sign(source, domain, reporters, prices);
    // A front-runner relays only the three highest reports (a quorum of three): the price is their median...
    const highest = all.filter((r) => r.priceWad >= P);
    await source.connect(stranger).submit(toCalldata(highest));
    expect((await source.latest())[0]).to.equal(P + 10n);
    // ...until anyone relays the rest: the honest relay of all five succeeds and every report counts.
    await expect(source.submit(toCalldata(all)))
      .to.emit(source, "PriceUpdated")
      .withArgs(P, all[0].observedAt, 5);
    expect((await source.latest())[0]).to.equal(P);
    // Relaying them again adds nothing.
    await expect(source.submit(toCalldata(all)))
      .to.be.revertedWithCustomError(source, "NoNewerReport")
      .withArgs(5);
  });

  it("a relayer cannot roll a reporter back: an older report never replaces a newer one", async () => {
    const { source, domain, reporters } = await loadFixture(deploy);
    const t = BigInt(await time.latest());
    const [old] = await sign(source, domain, [reporters[0]], [P - 100n], [t - 10n]);
    const [recent] = await sign(source, domain, [reporters[0]], [P], [t]);
    await source.submit(toCalldata([recent]));
    await expect(source.submit(toCalldata([old])))
      .to.be.revertedWithCustomError(source, "NoNewerReport")
      .withArgs(1);
    expect(await source.reportOf(reporters[0].address)).to.deep.equal([P, t]);
    // In one relay, a signer's reports apply in order: the later one stays, a repeated one counts once.
    const [later] = await sign(source, domain, [reporters[1]], [P + 1n], [t]);
    const [earlier] = await sign(source, domain, [reporters[1]], [P - 1n], [t - 1n]);
    const tx = source.submit(toCalldata([earlier, later, later, earlier]));
    await expect(tx)
      .to.emit(source, "ReportAccepted")
      .withArgs(reporters[1].address, P - 1n, t - 1n);
    await expect(tx)
      .to.emit(source, "ReportAccepted")
      .withArgs(reporters[1].address, P + 1n, t);
    expect((await (await tx).wait())!.logs.length).to.equal(3); // two reports accepted, then the aggregate
    expect(await source.reportOf(reporters[1].address)).to.deep.equal([P + 1n, t]);
  });

  it("a report counts while fresh: once stale it leaves the median without a relay, and the quorum with it", async () => {
    const { source, domain, reporters } = await loadFixture(deploy);
    const t = BigInt(await time.latest());
    const prices = [P + 40n, P, P + 10n, P + 20n];
    const times = [t - 30n, t - 20n, t - 10n, t];
    await source.submit(toCalldata(await sign(source, domain, reporters.slice(0, 4), prices, times)));
    expect(await source.latest()).to.deep.equal([median(prices), t - 30n]);
    // Exactly maxReportAgeSeconds old is still fresh; one second later the report no longer counts.
    await time.increaseTo(t - 30n + MAX_AGE);
    expect(await source.latest()).to.deep.equal([median(prices), t - 30n]);
    await time.increaseTo(t - 30n + MAX_AGE + 1n);
    expect(await source.latest()).to.deep.equal([median(prices.slice(1)), t - 20n]);
    await time.increaseTo(t - 10n + MAX_AGE + 1n);
    await expect(source.latest()).to.be.revertedWithCustomError(source, "TooFewFreshReports").withArgs(1, 3);
    // Fresh reports of two others restore the quorum.
    const now = BigInt(await time.latest()) + 1n;
    const back = await sign(source, domain, reporters.slice(0, 2), [P + 40n, P], [now, now]);
    await time.setNextBlockTimestamp(now);
    await expect(source.submit(toCalldata(back)))
      .to.emit(source, "PriceUpdated")
      .withArgs(P + 20n, t, 3);
  });

  it("refuses a price below the quorum: before any report, and until minSigners fresh reports are relayed", async () => {
    const { source, domain, reporters } = await loadFixture(deploy);
    await expect(source.latest()).to.be.revertedWithCustomError(source, "TooFewFreshReports").withArgs(0, 3);
    const two = await sign(source, domain, reporters.slice(0, 2), [P, P + 2n]);
    await expect(source.submit(toCalldata(two)))
      .to.emit(source, "PriceUnavailable")
      .withArgs(2, 3);
    await expect(source.latest()).to.be.revertedWithCustomError(source, "TooFewFreshReports").withArgs(2, 3);
    const third = await sign(source, domain, [reporters[2]], [P + 4n]);
    await source.submit(toCalldata(third));
    expect((await source.latest())[0]).to.equal(P + 2n);
  });

  it("computes the same digest and type hash as the TypeScript helper", async () => {
    const { source, domain } = await loadFixture(deploy);
    expect(await source.REPORT_TYPEHASH()).to.equal(ethers.id(REPORT_TYPE_STRING));
    const report = { asset: ASSET, priceWad: P, observedAt: 123n };
    expect(await source.reportDigest(P, 123n)).to.equal(reportDigest(domain, report));
  });

  describe("rejects, leaving the state unchanged", () => {
    async function withPrice() {
      const f = await deploy();
      await f.source.submit(toCalldata(await sign(f.source, f.domain, f.reporters.slice(0, 3), [P, P, P])));
      return f;
    }

    it("no report, or more than 15", async () => {
      const { source, reporters } = await loadFixture(withPrice);
      const before = await snapshot(source, reporters);
      await expect(source.submit([]))
        .to.be.revertedWithCustomError(source, "InvalidReportCount")
        .withArgs(0, 15);
      const filler = { priceWad: P, observedAt: 0n, signature: "0x" };
      await expect(source.submit(Array(16).fill(filler)))
        .to.be.revertedWithCustomError(source, "InvalidReportCount")
        .withArgs(16, 15);
      expect(await snapshot(source, reporters)).to.deep.equal(before);
    });

    it("an unauthorised signer, even beside authorised ones", async () => {
      const { source, domain, reporters } = await loadFixture(withPrice);
      const before = await snapshot(source, reporters);
      const outsider = ethers.Wallet.createRandom();
      const reports = await sign(source, domain, [reporters[3], outsider, reporters[4]], [P, P, P]);
      await expect(source.submit(toCalldata(reports)))
        .to.be.revertedWithCustomError(source, "UnauthorisedSigner")
        .withArgs(1, outsider.address);
      expect(await snapshot(source, reporters)).to.deep.equal(before);
    });

    it("an observation from the future", async () => {
      const { source, domain, reporters } = await loadFixture(withPrice);
      const before = await snapshot(source, reporters);
      const t = BigInt(await time.latest());
      const future = t + 1000n;
      const ahead = await sign(source, domain, reporters.slice(3, 5), [P, P], [t, future]);
      await expect(source.submit(toCalldata(ahead)))
        .to.be.revertedWithCustomError(source, "ObservationInFuture")
        .withArgs(1, future, (v: bigint) => v < future);
      expect(await snapshot(source, reporters)).to.deep.equal(before);
    });

    it("a report of a removed reporter; the removal drops its stored report from the median", async () => {
      const { source, domain, reporters, governor } = await loadFixture(withPrice);
      const removed = reporters[1];
      const fresh = await sign(source, domain, [removed], [P + 9n]);
      const tx = source.connect(governor).setReporter(removed.address, false);
      await expect(tx).to.emit(source, "ReporterSet").withArgs(removed.address, false);
      await expect(tx).to.emit(source, "PriceUnavailable").withArgs(2, 3);
      expect(await source.reporterCount()).to.equal(4n);
      expect(await source.reportOf(removed.address)).to.deep.equal([0n, 0n]);
      const before = await snapshot(source, reporters);
      await expect(source.submit(toCalldata(fresh)))
        .to.be.revertedWithCustomError(source, "UnauthorisedSigner")
        .withArgs(0, removed.address);
      expect(await snapshot(source, reporters)).to.deep.equal(before);
    });

    it("a signature over another chain id (or another contract) recovers to a stranger", async () => {
      const { source, domain, reporters } = await loadFixture(withPrice);
      const before = await snapshot(source, reporters);
      const otherChain = { ...domain, chainId: 1n };
      const reports = await sign(source, otherChain, reporters.slice(3, 5), [P, P]);
      const digest = ethers.TypedDataEncoder.hash(domain, REPORT_TYPES, {
        asset: ASSET,
        priceWad: P,
        observedAt: reports[0].observedAt,
      });
      const recovered = ethers.recoverAddress(digest, reports[0].signature);
      expect(recovered).to.not.equal(reports[0].signer);
      await expect(source.submit(toCalldata(reports)))
        .to.be.revertedWithCustomError(source, "UnauthorisedSigner")
        .withArgs(0, recovered);
      const otherContract = { ...domain, verifyingContract: ethers.Wallet.createRandom().address };
      const elsewhere = await sign(source, otherContract, reporters.slice(3, 5), [P, P]);
      await expect(source.submit(toCalldata(elsewhere))).to.be.revertedWithCustomError(
        source,
        "UnauthorisedSigner",
      );
      expect(await snapshot(source, reporters)).to.deep.equal(before);
    });

    it("a malformed or high-s signature, a zero price, a price above 2^128 - 1", async () => {
      const { source, domain, reporters } = await loadFixture(withPrice);
      const before = await snapshot(source, reporters);
      const reports = await sign(source, domain, reporters.slice(3, 5), [P, P]);
      const bad = toCalldata(reports);
      bad[1] = { ...bad[1], signature: "0x1234" };
      await expect(source.submit(bad)).to.be.revertedWithCustomError(source, "InvalidSignature").withArgs(1);
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
      await expect(source.submit(malleable))
        .to.be.revertedWithCustomError(source, "InvalidSignature")
        .withArgs(0);
      const zero = await sign(source, domain, reporters.slice(3, 5), [P, 0n]);
      await expect(source.submit(toCalldata(zero)))
        .to.be.revertedWithCustomError(source, "InvalidPrice")
        .withArgs(1, 0);
      const huge = await sign(source, domain, reporters.slice(3, 5), [2n ** 128n, P]);
      await expect(source.submit(toCalldata(huge)))
        .to.be.revertedWithCustomError(source, "InvalidPrice")
        .withArgs(0, 2n ** 128n);
      expect(await snapshot(source, reporters)).to.deep.equal(before);
    });
  });

  describe("governance", () => {
    it("only governance sets reporters, the threshold and the report age", async () => {
      const { source, stranger } = await loadFixture(deploy);
      await expect(source.connect(stranger).setReporter(stranger.address, true))
        .to.be.revertedWithCustomError(source, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      await expect(source.connect(stranger).setMinSigners(1))
        .to.be.revertedWithCustomError(source, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      await expect(source.connect(stranger).setMaxReportAge(60))
        .to.be.revertedWithCustomError(source, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    it("counts reporters, caps them at 15 and refuses the zero address", async () => {
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
      for (let i = 6; i < 15; i++) await g.setReporter(ethers.Wallet.createRandom().address, true);
      await expect(g.setReporter(ethers.Wallet.createRandom().address, true))
        .to.be.revertedWithCustomError(source, "TooManyReporters")
        .withArgs(15);
    });

    it("removing a reporter keeps the others' reports; a re-added reporter starts without one", async () => {
      const { source, domain, reporters, governor } = await loadFixture(deploy);
      const prices = [P, P + 1n, P + 2n, P + 3n, P + 4n];
      const reports = await sign(source, domain, reporters, prices);
      await source.submit(toCalldata(reports));
      const g = source.connect(governor);
      await g.setReporter(reporters[1].address, false); // a middle slot: the last reporter moves into it
      await g.setReporter(reporters[4].address, false);
      for (const i of [0, 2, 3]) {
        expect(await source.reportOf(reporters[i].address)).to.deep.equal([prices[i], reports[i].observedAt]);
      }
      expect((await source.latest())[0]).to.equal(median([prices[0], prices[2], prices[3]]));
      await g.setReporter(reporters[1].address, true);
      expect(await source.isReporter(reporters[1].address)).to.equal(true);
      expect(await source.reportOf(reporters[1].address)).to.deep.equal([0n, 0n]);
      expect((await source.latest())[0]).to.equal(median([prices[0], prices[2], prices[3]]));
    });

    it("bounds the threshold and the report age, and applies them to the stored reports at once", async () => {
      const { source, domain, reporters, governor, gov } = await loadFixture(deploy);
      const g = source.connect(governor);
      await expect(g.setMinSigners(0))
        .to.be.revertedWithCustomError(source, "InvalidMinSigners")
        .withArgs(0, 15);
      await expect(g.setMinSigners(16))
        .to.be.revertedWithCustomError(source, "InvalidMinSigners")
        .withArgs(16, 15);
      const maxAge = 3n * 24n * 3600n;
      await expect(g.setMaxReportAge(0))
        .to.be.revertedWithCustomError(source, "InvalidMaxReportAge")
        .withArgs(0, maxAge);
      await expect(g.setMaxReportAge(maxAge + 1n))
        .to.be.revertedWithCustomError(source, "InvalidMaxReportAge")
        .withArgs(maxAge + 1n, maxAge);
      expect(await source.minSigners()).to.equal(3n);
      expect(await source.maxReportAgeSeconds()).to.equal(MAX_AGE);

      const t = BigInt(await time.latest());
      const prices = [P, P + 10n, P + 20n];
      await source.submit(
        toCalldata(await sign(source, domain, reporters.slice(0, 3), prices, [t - 100n, t, t])),
      );
      await expect(g.setMinSigners(4)).to.emit(source, "MinSignersSet").withArgs(4);
      await expect(source.latest())
        .to.be.revertedWithCustomError(source, "TooFewFreshReports")
        .withArgs(3, 4);
      await expect(g.setMinSigners(2))
        .to.emit(source, "PriceUpdated")
        .withArgs(P + 10n, t - 100n, 3);
      expect(await source.minSigners()).to.equal(2n);
      // A shorter age drops the report observed 100 s ago.
      await expect(g.setMaxReportAge(50))
        .to.emit(source, "MaxReportAgeSet")
        .withArgs(50)
        .and.to.emit(source, "PriceUpdated")
        .withArgs(median(prices.slice(1)), t, 2);
      expect(await source.maxReportAgeSeconds()).to.equal(50n);

      const factory = await ethers.getContractFactory("SignedReportSource");
      const manager = await gov.manager.getAddress();
      await expect(factory.deploy(manager, ethers.ZeroAddress, 1, 60)).to.be.revertedWithCustomError(
        factory,
        "ZeroAsset",
      );
      await expect(factory.deploy(manager, ASSET, 0, 60))
        .to.be.revertedWithCustomError(factory, "InvalidMinSigners")
        .withArgs(0, 15);
      await expect(factory.deploy(manager, ASSET, 1, 0))
        .to.be.revertedWithCustomError(factory, "InvalidMaxReportAge")
        .withArgs(0, maxAge);
    });
  });

  it("feeds the aggregator beside other sources", async () => {
    const { source, domain, reporters, aggregator, governor } = await loadFixture(deploy);
    await source.submit(toCalldata(await sign(source, domain, reporters.slice(0, 3), [P, P + 2n, P + 4n])));
    await configure(aggregator, governor, [source], defaultParams(1));
    expect((await aggregator.getPrice(ASSET))[0]).to.equal(P + 2n);
  });

  it("with 15 reporters, the read that recomputes the median fits the aggregator's gas cap per source [gas bound]", async () => {
    const { source, domain, reporters, aggregator, governor } = await loadFixture(deploy);
    const g = source.connect(governor);
    const wallets = [...reporters, ...Array.from({ length: 10 }, () => ethers.Wallet.createRandom())];
    for (const w of wallets.slice(5)) await g.setReporter(w.address, true);
    expect(await source.reporterCount()).to.equal(await source.MAX_REPORTERS());
    await g.setMinSigners(14);
    const t = BigInt(await time.latest());
    const prices = wallets.map((_, i) => P - BigInt(i)); // descending: the insertion sort's worst case
    const times = wallets.map((_, i) => (i === 0 ? t - MAX_AGE + 10n : t));
    await source.submit(toCalldata(await sign(source, domain, wallets, prices, times)));
    await configure(aggregator, governor, [source], defaultParams(1));
    // The first report goes stale: the stored median expires and every read recomputes over all 15 reports.
    await time.increase(20);
    const [price, updatedAt] = await aggregator.getPrice(ASSET);
    expect([price, updatedAt]).to.deep.equal([median(prices.slice(1)), t]);
  });
});
