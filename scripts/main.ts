/**
 * The main job (`npm start`): deploys the whole suite on the in-process Hardhat network with the real deploy path
 * (config/local.json, Ignition, roles handed to the timelock), then runs a short, checked round trip: collateral in,
 * an option written and transferred, margin and health printed. The full narrated lifecycle (crash, breaker trip,
 * governed resume, liquidation, settlement, exercise) is the remaining part of issue 10.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import {
  CollateralVault__factory,
  MockERC20__factory,
  OptionsClearing__factory,
  OracleAggregator__factory,
} from "../typechain-types";
import { deploySuite } from "./lib/deploy/suite";

const WAD = 10n ** 18n;
const USDC = 10n ** 6n;
const DAY = 24 * 3600;

function step(title: string): void {
  console.log(`\n== ${title}`);
}

function usd(wad: bigint): string {
  const whole = wad / WAD;
  const cents = ((wad % WAD) * 100n) / WAD;
  return `${whole.toLocaleString("en-US")}.${cents.toString().padStart(2, "0")}`;
}

async function main(): Promise<void> {
  const { ethers, network } = hre;
  const dir = mkdtempSync(join(tmpdir(), "optiq-main-"));
  try {
    step(`1. Deploy the suite on '${network.name}' from config/local.json`);
    const record = await deploySuite(hre, {
      configPath: "config/local.json",
      recordPath: join(dir, "record.json"),
      deploymentId: `main-${Date.now()}`,
      log: (line) => console.log(`   ${line}`),
    });
    for (const [name, address] of Object.entries(record.contracts))
      console.log(`   ${name.padEnd(28)} ${address}`);

    const signers = await ethers.getSigners();
    const [lister, alice, bob] = [signers[3], signers[4], signers[5]];
    const usdc = MockERC20__factory.connect(record.tokens.USDC, alice);
    const weth = record.tokens.WETH;
    const usdcVault = CollateralVault__factory.connect(record.contracts["CollateralVault.USDC"], alice);
    const clearing = OptionsClearing__factory.connect(record.contracts.OptionsClearing, alice);
    const oracle = OracleAggregator__factory.connect(record.contracts.OracleAggregator, alice);
    const [spot] = await oracle.getPrice(weth);
    console.log(`   WETH median price: ${usd(spot)} USDC`);

    step("2. Alice deposits 10,000 USDC into the USDC collateral vault and opens a clearing account");
    await (await usdc.mint(alice.address, 10_000n * USDC)).wait();
    await (await usdc.approve(await usdcVault.getAddress(), 10_000n * USDC)).wait();
    await (await usdcVault.deposit(10_000n * USDC, alice.address)).wait();
    const shares = await usdcVault.balanceOf(alice.address);
    await (await usdcVault.approve(await clearing.getAddress(), shares)).wait();
    await (await clearing.openAccount()).wait();
    const account = await clearing.accountCount();
    await (await clearing.depositCollateral(account, await usdcVault.getAddress(), shares)).wait();
    let h = await clearing.health(account);
    console.log(`   account ${account}: collateral ${usd(h.collateralValueWad)} USDC, no positions`);

    step("3. The lister lists a WETH 2,200 call expiring in 7 days; Alice writes 2 and sends them to Bob");
    const expiry = (await time.latest()) + 7 * DAY;
    const strike = 2_200n * WAD;
    await (await clearing.connect(lister).listSeries(weth, strike, expiry, true)).wait();
    const series = await clearing.seriesIdOf(weth, strike, expiry, true);
    await (await clearing.write(account, series, 2n * WAD, bob.address)).wait();
    h = await clearing.health(account);
    const [shorts, inAccounts, tokens] = await clearing.openInterest(series);
    console.log(
      `   Bob holds ${ethers.formatUnits(await clearing.balanceOf(bob.address, series), 18)} long calls`,
    );
    console.log(
      `   open interest: shorts ${ethers.formatUnits(shorts, 18)} = longs ${ethers.formatUnits(inAccounts + tokens, 18)}`,
    );
    console.log(
      `   Alice's margin: collateral ${usd(h.collateralValueWad)}, maintenance ${usd(h.maintenanceWad)}, ` +
        `initial ${usd(h.initialWad)} USDC`,
    );
    if (h.collateralValueWad < h.initialWad || shorts !== inAccounts + tokens) {
      throw new Error("main job: the account or open interest is not as expected");
    }

    step("Summary");
    console.log(
      `   ${Object.keys(record.contracts).length} contracts deployed, governance held by the timelock;`,
    );
    console.log(
      "   an account opened, collateralised and margined on the live oracle median; one series written.",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
