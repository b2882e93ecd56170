import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { AggregatorV3Facade } from "../../../typechain-types";
import { WAD } from "../../../scripts/lib/math/wad";
import {
  ASSET,
  configure,
  defaultParams,
  deployMockSources,
  deployOracleBase,
} from "../../shared/fixtures/oracle";

const P = 1_850n * WAD;

describe("unit/oracle/AggregatorV3Facade", () => {
  async function deploy() {
    const base = await deployOracleBase();
    const sources = await deployMockSources(3, P);
    await configure(base.aggregator, base.governor, sources, defaultParams(2));
    const facade: AggregatorV3Facade = await ethers.deployContract("AggregatorV3Facade", [
      await base.aggregator.getAddress(),
      ASSET,
      "WETH / USD (optiq median)",
    ]);
    return { ...base, sources, facade };
  }

  it("describes itself as an 18-decimal feed of its asset", async () => {
    const { facade, aggregator } = await loadFixture(deploy);
    expect(await facade.decimals()).to.equal(18n);
    expect(await facade.description()).to.equal("WETH / USD (optiq median)");
    expect(await facade.version()).to.equal(1n);
    expect(await facade.AGGREGATOR()).to.equal(await aggregator.getAddress());
    expect(await facade.ASSET()).to.equal(ASSET);
  });

  it("refuses zero addresses", async () => {
    const { aggregator } = await loadFixture(deploy);
    const factory = await ethers.getContractFactory("AggregatorV3Facade");
    await expect(factory.deploy(ethers.ZeroAddress, ASSET, "x")).to.be.revertedWithCustomError(
      factory,
      "ZeroAddress",
    );
    await expect(
      factory.deploy(await aggregator.getAddress(), ethers.ZeroAddress, "x"),
    ).to.be.revertedWithCustomError(factory, "ZeroAddress");
  });

  it("reverts UnknownRound before the first round", async () => {
    const { facade } = await loadFixture(deploy);
    await expect(facade.latestRoundData())
      .to.be.revertedWithCustomError(facade, "UnknownRound")
      .withArgs(ASSET, 0);
  });

  it("serves the rounds recorded by poke, as Chainlink would", async () => {
    const { facade, aggregator, sources, keeper } = await loadFixture(deploy);
    const t1 = BigInt(await time.latest());
    for (const s of sources) await s.set(P, t1);
    await aggregator.connect(keeper).poke(ASSET);
    const [price1] = await aggregator.getPrice(ASSET);
    expect(await facade.latestRoundData()).to.deep.equal([1n, price1, t1, t1, 1n]);

    const t2 = BigInt(await time.latest());
    const P2 = P + WAD;
    for (const s of sources) await s.set(P2, t2);
    await aggregator.connect(keeper).poke(ASSET);
    expect(await facade.latestRoundData()).to.deep.equal([2n, P2, t2, t2, 2n]);
    expect(await facade.getRoundData(1)).to.deep.equal([1n, P, t1, t1, 1n]);
    expect(await facade.getRoundData(2)).to.deep.equal([2n, P2, t2, t2, 2n]);
    await expect(facade.getRoundData(3))
      .to.be.revertedWithCustomError(facade, "UnknownRound")
      .withArgs(ASSET, 3);
    await expect(facade.getRoundData(0))
      .to.be.revertedWithCustomError(facade, "UnknownRound")
      .withArgs(ASSET, 0);
  });
});
