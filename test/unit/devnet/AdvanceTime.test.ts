/**
 * `npx hardhat advance-time` (tasks/devnet.ts) on the in-process network against config/local.json: after a jump
 * past the feeds' one-hour heartbeat the oracle still prices every asset, at the prices it had; a bad duration and a
 * record without mock feeds are refused by name, leaving the clock where it was.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { HardhatPluginError } from "hardhat/plugins";
import { OracleAggregator__factory } from "../../../typechain-types";
import type { AdvanceResult } from "../../../scripts/lib/devnet/time";
import { deployedLocal } from "../../shared/fixtures/deployed";
import { runTask as run } from "../../shared/runTask";

const HOUR = 3600;
const WAD = 10n ** 18n;

describe("unit/devnet/advance-time (in-process network, config/local.json)", () => {
  it("moves the clock past the heartbeat and keeps every price fresh and unchanged", async () => {
    const { record, recordPath } = await loadFixture(deployedLocal);
    const oracle = OracleAggregator__factory.connect(record.contracts.OracleAggregator, ethers.provider);
    const before = await time.latest();
    const { result, out } = await run<AdvanceResult>("advance-time", { by: "3h", record: recordPath });
    expect(result.to - result.from).to.be.at.least(3 * HOUR);
    expect(await time.latest()).to.be.at.least(before + 3 * HOUR);
    expect(result.feeds).to.deep.equal({ WETH: 3, WBTC: 2 });
    expect(out).to.match(
      /^chain time \S+ -> \S+ \(\+\d+ s\); feeds re-reported: WETH ×3, WBTC ×2; oracle poked$/,
    );
    expect((await oracle.getPrice(record.tokens.WETH))[0]).to.equal(2000n * WAD);
    expect((await oracle.getPrice(record.tokens.WBTC))[0]).to.equal(60_000n * WAD);
  });

  it("without it, the same jump leaves the oracle without a quorum (what the task prevents)", async () => {
    const { record } = await loadFixture(deployedLocal);
    const oracle = OracleAggregator__factory.connect(record.contracts.OracleAggregator, ethers.provider);
    await time.increase(3 * HOUR);
    await expect(oracle.getPrice(record.tokens.WETH)).to.be.revertedWithCustomError(oracle, "QuorumNotMet");
  });

  it("refuses a bad duration and a record without mock feeds, leaving the clock alone", async () => {
    const { recordPath } = await loadFixture(deployedLocal);
    const before = await time.latest();
    await expect(run("advance-time", { by: "soon", record: recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      "advance-time failed: --by: 'soon' is not a duration",
    );
    const bare = recordPath.replace(/\.json$/, "-nomocks.json");
    const parsed = JSON.parse(readFileSync(recordPath, "utf8")) as { mocks: unknown };
    writeFileSync(bare, JSON.stringify({ ...parsed, mocks: { tokens: {}, feeds: {} } }));
    await expect(run("advance-time", { by: "1h", record: bare })).to.be.rejectedWith(
      HardhatPluginError,
      "works only on a local deployment with mock feeds",
    );
    expect(await time.latest()).to.equal(before);
  });
});
