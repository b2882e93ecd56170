/**
 * The trader tasks (tasks/trader.ts) on the in-process network against config/local.json deployed by the deploy
 * script's logic, each run through `hre.run` exactly as `npx hardhat <task>` runs it: a lister lists a series, a
 * writer opens and funds an account and writes, a holder nets longs in an account and closes, the series settles and
 * the holder exercises; every bad input fails with one line naming it and changes nothing.
 */
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { HardhatPluginError } from "hardhat/plugins";
import {
  CollateralVault__factory,
  ERC20__factory,
  OptionsClearing__factory,
  type OptionsClearing,
} from "../../../typechain-types";
import type { DeploymentRecord } from "../../../scripts/lib/deploy/suite";
import { CRASH_PRICE, USDC, WAD, setMockPrice } from "../../shared/fixtures/book";
import { SIGNER, deployedBook, deployedLocal } from "../../shared/fixtures/deployed";

const DAY = 86_400;

/** Run a task with its console output captured. */
async function run<T>(name: string, args: Record<string, unknown>): Promise<{ result: T; out: string }> {
  const original = console.log;
  const out: string[] = [];
  console.log = (...parts: unknown[]) => void out.push(parts.map(String).join(" "));
  try {
    const result = (await hre.run(name, args)) as T;
    return { result, out: out.join("\n") };
  } finally {
    console.log = original;
  }
}

/** The expected name of a WETH put struck at `strike` expiring at `expiry`, spelt out from the calendar. */
function putName(strike: string, expiry: bigint): string {
  const d = new Date(Number(expiry) * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `WETH-${strike}-P-${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
}

/** A fresh deployment with a 7-day WETH 1,800 put listed through `list-series`. */
async function listedLocal() {
  const base = await deployedLocal();
  const listed = await run<{ id: bigint; expiry: bigint; name: string }>("list-series", {
    underlying: "WETH",
    strike: "1800",
    expiry: "7d",
    type: "put",
    record: base.recordPath,
  });
  return { ...base, listed };
}

function clearingOf(record: DeploymentRecord): OptionsClearing {
  return OptionsClearing__factory.connect(record.contracts.OptionsClearing, ethers.provider);
}

/** The task fails with exactly one line starting with `message`. */
async function refused(task: string, args: Record<string, unknown>, message: string): Promise<void> {
  let error: unknown;
  try {
    await run(task, args);
  } catch (e) {
    error = e;
  }
  expect(error, `${task} should fail`).to.be.instanceOf(HardhatPluginError);
  const text = (error as HardhatPluginError).message;
  expect(text.split("\n"), text).to.have.length(1);
  expect(text.startsWith(`${task} failed: ${message}`), text).to.equal(true);
}

describe("unit/ops/Trader (trader tasks, in-process network, config/local.json)", () => {
  it("on a fresh deployment: no series, and an account that does not exist is named, not a stack trace", async () => {
    const { recordPath } = await loadFixture(deployedLocal);
    const series = await run<unknown[]>("series", { record: recordPath });
    expect(series.result).to.deep.equal([]);
    expect(series.out).to.contain("no series listed yet");
    const missing =
      "account 1 does not exist: no account is open yet (open one with `npx hardhat open-account`)";
    await refused("account", { account: "1", record: recordPath }, missing);
    await refused("health", { account: "1", record: recordPath }, missing);
  });

  it("list-series: the lister lists a put by symbol, strike and a relative expiry; series shows it by name", async () => {
    const { record, recordPath, listed } = await loadFixture(listedLocal);
    const clearing = clearingOf(record);
    const latest = BigInt(await time.latest());
    expect(listed.result.expiry).to.be.within(latest + 7n * BigInt(DAY) - 60n, latest + 7n * BigInt(DAY));
    const name = putName("1800", listed.result.expiry);
    expect(listed.result.name).to.equal(name);
    expect(listed.out).to.contain(
      `listed ${name} (id ${listed.result.id}) by ${(await ethers.getSigners())[SIGNER.lister].address}`,
    );
    const onChain = await clearing.series(listed.result.id);
    expect([onChain.underlying, onChain.strikeWad, onChain.expiry, onChain.isCall]).to.deep.equal([
      record.tokens.WETH,
      1800n * WAD,
      listed.result.expiry,
      false,
    ]);
    const table = await run<{ name: string; openInterest: bigint; settled: boolean }[]>("series", {
      record: recordPath,
    });
    expect(table.result.map((s) => [s.name, s.openInterest, s.settled])).to.deep.equal([[name, 0n, false]]);
    expect(table.out).to.contain(`${name}`);
    expect(table.out).to.contain("put  strike 1800 expiry");
    expect(table.out).to.contain("open; open interest 0 contracts");
  });

  it("list-series refuses bad input by name and lists nothing", async () => {
    const { record, recordPath, listed } = await loadFixture(listedLocal);
    const clearing = clearingOf(record);
    const base = { underlying: "WETH", strike: "1900", expiry: "7d", type: "put", record: recordPath };
    await refused(
      "list-series",
      { ...base, underlying: "DOGE" },
      "unknown underlying 'DOGE' (assets: USDC, WETH, WBTC)",
    );
    await refused("list-series", { ...base, type: "straddle" }, "--type must be call or put, got 'straddle'");
    await refused(
      "list-series",
      { ...base, strike: "abc" },
      "--strike must be a positive number of quote units, got 'abc'",
    );
    await refused(
      "list-series",
      { ...base, strike: "50" },
      "--strike 50 is outside the listing bounds of WETH [100, 100000]",
    );
    await refused("list-series", { ...base, expiry: "soon" }, "--expiry must be a date");
    await refused("list-series", { ...base, expiry: "400d" }, "--expiry ");
    await refused(
      "list-series",
      { ...base, strike: "1800", expiry: String(listed.result.expiry) },
      "--expiry must be a date",
    );
    const deployer = (await ethers.getSigners())[SIGNER.deployer].address;
    await refused("list-series", { ...base, from: deployer }, `${deployer} is not a lister (LISTER_ROLE)`);
    const again = new Date(Number(listed.result.expiry) * 1000).toISOString().replace(".000Z", "Z");
    await refused(
      "list-series",
      { ...base, strike: "1800", expiry: again },
      `${listed.result.name} is already listed`,
    );
    const events = await clearing.queryFilter(clearing.filters.SeriesListed());
    expect(events).to.have.length(1);
  });

  it("open-account, deposit --mint, write, account: collateral in asset units, positions by series name", async () => {
    const { record, recordPath, listed } = await loadFixture(listedLocal);
    const clearing = clearingOf(record);
    const s = await ethers.getSigners();
    const writer = SIGNER.writer;
    const holder = s[SIGNER.holder].address;
    const opened = await run<{ accountId: bigint }>("open-account", { signer: writer, record: recordPath });
    expect(opened.result.accountId).to.equal(1n);
    expect(opened.out).to.contain(`opened account 1 for ${s[writer].address}`);
    expect(await clearing.ownerOf(1n)).to.equal(s[writer].address);

    const dep = await run("deposit", {
      account: "1",
      asset: "usdc",
      amount: "20000",
      mint: true,
      signer: writer,
      record: recordPath,
    });
    expect(dep.out).to.contain(
      "deposited 20000 USDC into account 1 (minted from the mock faucet first) as 20000 oqUSDC vault shares",
    );
    const usdcVault = CollateralVault__factory.connect(
      record.contracts["CollateralVault.USDC"],
      ethers.provider,
    );
    expect(
      await usdcVault.convertToAssets(
        await clearing.collateralOf(1n, record.contracts["CollateralVault.USDC"]),
      ),
    ).to.equal(20_000n * USDC);
    const weth = await run("deposit", {
      account: "1",
      asset: "WETH",
      amount: "1.5",
      mint: true,
      signer: writer,
      record: recordPath,
    });
    expect(weth.out).to.contain("deposited 1.5 WETH into account 1");

    const wrote = await run("write", {
      account: "1",
      series: listed.result.name.toLowerCase(),
      amount: "2",
      to: holder,
      signer: writer,
      record: recordPath,
    });
    expect(wrote.out).to.contain(
      `account 1 wrote 2 contracts of ${listed.result.name}; the longs went to ${holder}`,
    );
    expect(await clearing.positionOf(1n, listed.result.id)).to.equal(-2n * WAD);
    expect(await clearing.balanceOf(holder, listed.result.id)).to.equal(2n * WAD);

    const view = await run<{ health?: { maintenanceWad: bigint; collateralValueWad: bigint } }>("account", {
      account: "1",
      record: recordPath,
    });
    const h = await clearing.health(1n);
    expect(view.result.health?.maintenanceWad).to.equal(h.maintenanceWad);
    expect(view.out).to.contain(`account 1 (owner ${s[writer].address})`);
    expect(view.out).to.match(new RegExp(`${listed.result.name} +short 2 contracts`));
    // The first deposits into empty vaults: one share per asset unit, in the asset's units.
    expect(view.out).to.contain("20000 USDC (20000 oqUSDC vault shares)");
    expect(view.out).to.contain("1.5 WETH (1.5 oqWETH vault shares)");
    expect(view.out).to.contain("debt: 0 USDC");
    expect(view.out).to.contain("health: healthy");
    // 20,000 USDC plus 1.5 WETH at 2,000 less its 20% haircut.
    expect(h.collateralValueWad).to.equal(22_400n * WAD);
    expect(view.out).to.contain("collateral value 22400 USDC");
    expect(view.out).to.contain("margin ratio ");
    expect(view.out).to.not.contain("auction discount");
  });

  it("deposit-longs, withdraw-longs, close, withdraw: each moves what it says", async () => {
    const { record, recordPath, listed } = await loadFixture(listedLocal);
    const clearing = clearingOf(record);
    const s = await ethers.getSigners();
    const [writer, holder] = [SIGNER.writer, SIGNER.holder];
    const name = listed.result.name;
    await run("open-account", { signer: writer, record: recordPath });
    await run("deposit", {
      account: "1",
      asset: "USDC",
      amount: "20000",
      mint: true,
      signer: writer,
      record: recordPath,
    });
    await run("write", {
      account: "1",
      series: name,
      amount: "2",
      to: s[holder].address,
      signer: writer,
      record: recordPath,
    });
    await run("open-account", { signer: holder, record: recordPath });

    const dl = await run("deposit-longs", {
      account: "2",
      series: name,
      amount: "1",
      signer: holder,
      record: recordPath,
    });
    expect(dl.out).to.contain(`deposited 1 contract of ${name} into account 2`);
    expect(await clearing.positionOf(2n, listed.result.id)).to.equal(WAD);
    const wl = await run("withdraw-longs", {
      account: "2",
      series: String(listed.result.id),
      amount: "0.25",
      signer: holder,
      record: recordPath,
    });
    expect(wl.out).to.contain(`withdrew 0.25 contracts of ${name} from account 2 to ${s[holder].address}`);
    expect(await clearing.positionOf(2n, listed.result.id)).to.equal((3n * WAD) / 4n);
    expect(await clearing.balanceOf(s[holder].address, listed.result.id)).to.equal((5n * WAD) / 4n);

    // The holder's long tokens close part of the writer's short.
    const closed = await run("close", {
      account: "1",
      series: name,
      amount: "1",
      signer: holder,
      record: recordPath,
    });
    expect(closed.out).to.contain(`closed 1 contract of ${name} in account 1`);
    expect(await clearing.positionOf(1n, listed.result.id)).to.equal(-WAD);
    expect(await clearing.balanceOf(s[holder].address, listed.result.id)).to.equal(WAD / 4n);

    const usdc = ERC20__factory.connect(record.tokens.USDC, ethers.provider);
    const before = await usdc.balanceOf(s[writer].address);
    const out = await run("withdraw", {
      account: "1",
      asset: "USDC",
      amount: "1000",
      signer: writer,
      record: recordPath,
    });
    expect(out.out).to.contain(`withdrew 1000 USDC from account 1 to ${s[writer].address}`);
    expect((await usdc.balanceOf(s[writer].address)) - before).to.equal(1000n * USDC);
  });

  it("exercise: after settlement the holder's longs pay (strike - settlement) per contract", async () => {
    const { record, recordPath, listed } = await loadFixture(listedLocal);
    const clearing = clearingOf(record);
    const s = await ethers.getSigners();
    const [writer, holder] = [SIGNER.writer, SIGNER.holder];
    const name = listed.result.name;
    await run("open-account", { signer: writer, record: recordPath });
    await run("deposit", {
      account: "1",
      asset: "USDC",
      amount: "20000",
      mint: true,
      signer: writer,
      record: recordPath,
    });
    await run("write", {
      account: "1",
      series: name,
      amount: "3",
      to: s[holder].address,
      signer: writer,
      record: recordPath,
    });
    await refused(
      "exercise",
      { series: name, amount: "1", signer: holder, record: recordPath },
      `${name} is not settled: it expires on ${name.slice(-10)}`,
    );

    await time.increaseTo(listed.result.expiry + 60n);
    await setMockPrice(record, "WETH", CRASH_PRICE, s[SIGNER.deployer]);
    await (await clearing.connect(s[SIGNER.deployer]).settle(listed.result.id)).wait();
    const table = await run("series", { record: recordPath });
    expect(table.out).to.contain(`${name}`);
    expect(table.out).to.contain("settled at 1600, pays 200 USDC per contract");

    await refused(
      "exercise",
      { series: name, amount: "all", signer: holder, record: recordPath },
      `the settlement pool of ${name} cannot pay 3 contracts yet: its short accounts are not settled`,
    );
    // The keeper's job: the short account pays into the pool.
    await (await clearing.connect(s[SIGNER.deployer]).settleAccount(1n)).wait();
    const usdc = ERC20__factory.connect(record.tokens.USDC, ethers.provider);
    const before = await usdc.balanceOf(s[holder].address);
    const ex = await run("exercise", { series: name, amount: "all", signer: holder, record: recordPath });
    // A put struck at 1,800 settled at 1,600: 200 USDC for each of 3 contracts.
    expect((await usdc.balanceOf(s[holder].address)) - before).to.equal(600n * USDC);
    expect(ex.out).to.contain(`exercised 3 contracts of ${name}: paid 600 USDC to ${s[holder].address}`);
    expect(await clearing.balanceOf(s[holder].address, listed.result.id)).to.equal(0n);
  });

  it("account: a liquidatable account shows LIQUIDATABLE and its auction discount", async () => {
    const book = await loadFixture(deployedBook);
    await setMockPrice(book.record, "WETH", CRASH_PRICE, book.signers[SIGNER.deployer]);
    const view = await run("account", { account: String(book.victim), record: book.recordPath });
    expect(view.out).to.contain("health: LIQUIDATABLE");
    expect(view.out).to.match(/auction discount \d+(\.\d+)?%/);
    expect(view.out).to.match(/WETH-1800-P-\d{4}-\d{2}-\d{2} +short 2 contracts/);
  });

  it("every bad input fails with one line naming it, and changes nothing", async () => {
    const { record, recordPath, listed } = await loadFixture(listedLocal);
    const clearing = clearingOf(record);
    const s = await ethers.getSigners();
    const [writer, holder, stranger] = [SIGNER.writer, SIGNER.holder, SIGNER.competitor];
    const name = listed.result.name;
    await run("open-account", { signer: writer, record: recordPath });
    await run("deposit", {
      account: "1",
      asset: "USDC",
      amount: "5000",
      mint: true,
      signer: writer,
      record: recordPath,
    });
    await run("write", {
      account: "1",
      series: name,
      amount: "1",
      to: s[holder].address,
      signer: writer,
      record: recordPath,
    });
    const snapshot = async () => [
      await clearing.accountCount(),
      await clearing.positionOf(1n, listed.result.id),
      await clearing.collateralOf(1n, record.contracts["CollateralVault.USDC"]),
      await clearing.balanceOf(s[holder].address, listed.result.id),
      (await clearing.openInterest(listed.result.id))[0],
    ];
    const before = await snapshot();
    const w = { account: "1", series: name, amount: "1", signer: writer, record: recordPath };

    await refused(
      "write",
      { ...w, series: "WETH-9999-P-2030-01-01" },
      `unknown series 'WETH-9999-P-2030-01-01' (listed: ${name})`,
    );
    await refused("write", { ...w, series: "12345" }, "series id 12345 is not listed");
    await refused("write", { ...w, account: "99" }, "account 99 does not exist (accounts 1..1)");
    await refused("write", { ...w, account: "one" }, "--account must be a positive integer, got 'one'");
    await refused(
      "write",
      { ...w, amount: "lots" },
      "--amount must be a positive number of contracts, got 'lots'",
    );
    await refused("write", { ...w, amount: "0" }, "--amount must be positive, got '0'");
    await refused("write", { ...w, to: "bob" }, "--to must be an address (0x...), got 'bob'");
    await refused(
      "write",
      { ...w, signer: stranger },
      `${s[stranger].address} is not the owner of account 1`,
    );
    await refused(
      "write",
      { ...w, amount: "1000" },
      "account 1 would end below its initial margin: collateral value 5000 USDC < initial requirement",
    );
    await refused(
      "deposit",
      { account: "1", asset: "USDC", amount: "abc", mint: true, signer: writer, record: recordPath },
      "--amount must be a positive number of USDC, got 'abc'",
    );
    await refused(
      "deposit",
      { account: "1", asset: "DOGE", amount: "1", mint: true, signer: writer, record: recordPath },
      "unknown collateral asset 'DOGE' (vaults: USDC, WETH, WBTC)",
    );
    await refused(
      "deposit",
      { account: "1", asset: "USDC", amount: "10", mint: false, signer: stranger, record: recordPath },
      `${s[stranger].address} holds 0 USDC, less than the 10 USDC to deposit (add --mint to mint the mock token)`,
    );
    await refused(
      "withdraw",
      { account: "1", asset: "USDC", amount: "6000", signer: writer, record: recordPath },
      "account 1 holds 5000 USDC of collateral, less than the 6000 USDC to withdraw",
    );
    await refused(
      "withdraw",
      { account: "1", asset: "USDC", amount: "all", signer: writer, record: recordPath },
      "account 1 would end below its initial margin",
    );
    await refused(
      "withdraw",
      { account: "1", asset: "USDC", amount: "1", signer: stranger, record: recordPath },
      `${s[stranger].address} is not the owner of account 1`,
    );
    await refused(
      "close",
      { ...w, amount: "2", signer: holder },
      `account 1 is short 1 contract of ${name}, fewer than the 2 contracts to close`,
    );
    await refused(
      "close",
      { ...w, signer: stranger },
      `${s[stranger].address} holds 0 contracts of ${name}, fewer than the 1 contract needed`,
    );
    await refused(
      "deposit-longs",
      { ...w, signer: holder },
      `${s[holder].address} is not the owner of account 1`,
    );
    await refused(
      "withdraw-longs",
      { ...w },
      `account 1 is long 0 contracts of ${name}, fewer than the 1 contract to withdraw`,
    );
    await refused(
      "exercise",
      { series: name, amount: "x", signer: holder, record: recordPath },
      "--amount must be a positive number of contracts, got 'x'",
    );
    await refused(
      "account",
      { account: "7", record: recordPath },
      "account 7 does not exist (accounts 1..1)",
    );
    await refused("series", { record: "/nonexistent.json" }, "no deployment record at /nonexistent.json");
    expect(await snapshot()).to.deep.equal(before);
  });
});
