/**
 * The keeper script end to end on a real node (used by test/e2e/DeployNodes.test.ts right after its deployment on
 * anvil, so the suite deploys once): prepare two accounts that a fall of WETH within the oracle's band takes below
 * maintenance, let a competitor liquidate one of them first, then run `npx hardhat run scripts/keeper.ts --network
 * e2e` once as a child process. The keeper must liquidate the other through its own account (checked on-chain),
 * skip the competitor's cleanly, find no disagreement with the margin reference, and exit 0.
 */
import { expect } from "chai";
import { JsonRpcProvider, type Signer } from "ethers";
import { OptionsClearing__factory } from "../../typechain-types";
import type { DeploymentRecord } from "../../scripts/lib/deploy/suite";
import { runHardhat, type CommandResult } from "./localNode";
import {
  CRASH_PRICE,
  USDC,
  WAD,
  listPut,
  openFundedAccount,
  openThinShort,
  setMockPrice,
} from "./fixtures/book";
import { mined } from "./mined";

/** Index of the keeper's account among the node's development accounts. */
export const KEEPER_SIGNER = 7;

export type Line = Record<string, unknown> & { event: string };

export const jsonLines = (stdout: string): Line[] =>
  stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Line);

const explain = (r: CommandResult): string =>
  `exit ${r.code}${r.timedOut ? " (timed out)" : ""}\n${r.stdout}\n${r.stderr}`;

/** Run the keeper script once against `url` with the deployment record at `recordPath`. */
export function runKeeperScript(
  url: string,
  recordPath: string,
  extra: NodeJS.ProcessEnv = {},
): Promise<CommandResult> {
  return runHardhat(["run", "scripts/keeper.ts", "--network", "e2e"], {
    E2E_RPC_URL: url,
    KEEPER_RECORD: recordPath,
    KEEPER_ONCE: "1",
    KEEPER_SIGNER: String(KEEPER_SIGNER),
    ...extra,
  });
}

export async function keeperRoundTrip(
  url: string,
  record: DeploymentRecord,
  recordPath: string,
): Promise<void> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  provider.pollingInterval = 50;
  try {
    const s: Signer[] = await Promise.all([0, 3, 4, 5, 6, KEEPER_SIGNER].map((i) => provider.getSigner(i)));
    const [deployer, lister, writer, holder, competitor, keeper] = s;
    const { seriesId } = await listPut(record, lister, 7 * 24 * 3600);
    const victim = await openThinShort(record, writer, await holder.getAddress(), seriesId, 2n * WAD);
    const raced = await openThinShort(record, writer, await holder.getAddress(), seriesId, 2n * WAD);
    const competitorAccount = await openFundedAccount(record, competitor, 100_000n * USDC);
    const keeperAccount = await openFundedAccount(record, keeper, 100_000n * USDC);
    await setMockPrice(record, "WETH", CRASH_PRICE, deployer);

    const clearing = OptionsClearing__factory.connect(record.contracts.OptionsClearing, provider);
    for (const account of [victim, raced]) {
      const h = await clearing.health(account);
      expect(h.collateralValueWad < h.maintenanceWad, `account ${account} is not below maintenance`).to.equal(
        true,
      );
    }
    await mined(clearing.connect(competitor).liquidate(raced, competitorAccount, WAD, 0n, 2n ** 63n));

    const run = await runKeeperScript(url, recordPath);
    expect(run.code, explain(run)).to.equal(0);
    const lines = jsonLines(run.stdout);
    const liquidated = lines.filter((l) => l.event === "liquidated");
    expect(
      liquidated.map((l) => l.accountId),
      explain(run),
    ).to.deep.equal([String(victim)]);
    expect(lines.find((l) => l.accountId === String(raced))?.event, explain(run)).to.equal("healthy");
    expect(
      lines.some((l) => l.event === "reference-disagreement"),
      explain(run),
    ).to.equal(false);
    expect(lines.find((l) => l.event === "pass")).to.include({ liquidated: 1, failures: 0 });

    // On-chain: the keeper's account liquidated the victim (and only it), which is healthy again.
    const events = await clearing.queryFilter(clearing.filters.Liquidated(victim, keeperAccount));
    expect(events.length).to.equal(1);
    expect(events[0].transactionHash).to.equal(liquidated[0].tx);
    expect(await clearing.queryFilter(clearing.filters.Liquidated(raced, keeperAccount))).to.have.length(0);
    const after = await clearing.health(victim);
    expect(after.collateralValueWad >= after.maintenanceWad).to.equal(true);
    expect(await clearing.positionOf(keeperAccount, seriesId)).to.be.lessThan(0n);
  } finally {
    provider.destroy();
  }
}
