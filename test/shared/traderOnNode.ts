/**
 * A trader and the reporter on a real node, as processes (used by test/e2e/DeployNodes.test.ts on anvil after the
 * keeper's round trip, so the suite deploys once): list the series, open an account, fund it, write to a holder who
 * closes one, read the account, then relay a signed price. Each command is `npx hardhat <task> --network e2e`, the
 * README's trading and operator commands with `--network localhost` pointed at the node.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, formatUnits } from "ethers";
import { OptionsClearing__factory, SignedReportSource__factory } from "../../typechain-types";
import type { DeploymentRecord } from "../../scripts/lib/deploy/suite";
import { runHardhat, type CommandResult } from "./localNode";
import { CRASH_PRICE } from "./fixtures/book";

const WAD = 10n ** 18n;
/** Development accounts #4 (a writer) and #5 (a holder), and #8, config/local.json's reporter. */
const WRITER = { index: "4", address: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65" };
const HOLDER = { index: "5", address: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" };
const REPORTER = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f";

const explain = (r: CommandResult): string =>
  `exit ${r.code}${r.timedOut ? " (timed out)" : ""}\n${r.stdout}\n${r.stderr}`;

export async function traderRoundTrip(
  url: string,
  record: DeploymentRecord,
  recordPath: string,
  work: string,
): Promise<void> {
  const ok = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> => {
    const tail = args[0] === "run" ? ["--network", "e2e"] : ["--network", "e2e", "--record", recordPath];
    const r = await runHardhat([...args, ...tail], { E2E_RPC_URL: url, ...env });
    expect(r.code, `${args.join(" ")}\n${explain(r)}`).to.equal(0);
    return r.stdout;
  };
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  try {
    const clearing = OptionsClearing__factory.connect(record.contracts.OptionsClearing, provider);
    const [listed] = await clearing.queryFilter(clearing.filters.SeriesListed());
    const seriesId = listed.args.seriesId;

    // The listed series by name.
    const rows = JSON.parse(await ok(["series", "--json"])) as { name: string; id: string }[];
    expect(rows.map((r) => r.id)).to.deep.equal([seriesId.toString()]);
    const name = rows[0].name;
    expect(name).to.match(/^WETH-\d+-P-\d{4}-\d{2}-\d{2}$/);

    // A new account of the writer, funded, writing 2 contracts to the holder, who closes one with its longs.
    const heldBefore = await clearing.balanceOf(HOLDER.address, seriesId);
    const opened = /opened account (\d+) for /.exec(await ok(["open-account", "--signer", WRITER.index]));
    expect(opened, "open-account names the account").to.not.equal(null);
    const account = opened![1];
    const w = ["--account", account, "--signer", WRITER.index];
    expect(await ok(["deposit", "--asset", "USDC", "--amount", "20000", "--mint", ...w])).to.contain(
      `deposited 20000 USDC into account ${account}`,
    );
    expect(await ok(["write", "--series", name, "--amount", "2", "--to", HOLDER.address, ...w])).to.contain(
      `account ${account} wrote 2 contracts of ${name}; the longs went to ${HOLDER.address}`,
    );
    expect(
      await ok(["close", "--account", account, "--series", name, "--amount", "1", "--signer", HOLDER.index]),
    ).to.contain(`closed 1 contract of ${name} in account ${account}`);
    expect(await ok(["account", "--account", account])).to.match(new RegExp(`${name} +short 1 contract`));
    expect(await clearing.positionOf(BigInt(account), seriesId)).to.equal(-1n * WAD);
    expect((await clearing.balanceOf(HOLDER.address, seriesId)) - heldBefore).to.equal(1n * WAD);

    // The reporter signs the feeds' WETH price (the keeper's round trip moved them) with #8 and relays it to the WETH
    // SignedReportSource.
    const prices = join(work, "anvil-prices.json");
    writeFileSync(prices, `${JSON.stringify({ WETH: formatUnits(CRASH_PRICE, 18) })}\n`);
    const relayed = await ok(["run", "scripts/reporter.ts"], {
      REPORTER_RECORD: recordPath,
      REPORTER_PRICES: prices,
      REPORTER_SIGNERS: "8",
      REPORTER_ONCE: "1",
    });
    const reported = relayed
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.event === "reported");
    // CRASH_PRICE is 1,600 USDC.
    expect(reported, relayed).to.include({ asset: "WETH", priceFormatted: "1,600 USDC/WETH" });
    const source = SignedReportSource__factory.connect(record.contracts["SignedReportSource.WETH"], provider);
    expect((await source.reportOf(REPORTER))[0]).to.equal(CRASH_PRICE);
  } finally {
    provider.destroy();
  }
}
