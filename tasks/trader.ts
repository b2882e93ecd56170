/**
 * Hardhat tasks for traders (README "Trading on a local node"): `series`, `list-series` (lister), `open-account`,
 * `deposit`, `withdraw`, `write`, `close`, `deposit-longs`, `withdraw-longs`, `exercise` and `account`. Series are
 * named `WETH-1800-P-2026-12-13` (or given by id); amounts are in asset units or contracts. A bad input fails the
 * task with one line naming it, before anything is sent.
 *
 * Like tasks/operator.ts, the scripts (and the TypeChain bindings) are imported only inside the actions.
 */
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";
import type { Protocol } from "../scripts/lib/operator/protocol";
import { protocolOf } from "./operator";

const RECORD_HELP = "the deployment record (default: deployments/<network>.json)";
const SIGNER_HELP = "index of the trader's account among the network's accounts";
const SERIES_HELP = "the series: its name (WETH-1800-P-2026-12-13, see `series`) or id";

interface Common {
  record?: string;
  signer: number;
}

/** Run a trader action with the protocol and (on demand) the signer; any failure becomes one line and a non-zero exit. */
async function trader<T>(
  name: string,
  hre: HardhatRuntimeEnvironment,
  args: Common,
  action: (p: Protocol, signer: () => Promise<Signer>) => Promise<T>,
): Promise<T> {
  const { taskFailure } = await import("../scripts/lib/ops/taskFailure");
  const { HardhatPluginError } = await import("hardhat/plugins");
  const { OperatorError } = await import("../scripts/lib/operator/errors");
  const { describeFailure } = await import("../scripts/lib/trader/errors");
  let quote = "quote";
  try {
    const p = await protocolOf(hre, args.record);
    const configured = (p.record.config as { quote?: unknown } | null)?.quote;
    if (typeof configured === "string") quote = configured;
    const { operatorSigner } = await import("../scripts/lib/operator/signers");
    return await action(p, () => operatorSigner(hre, args.signer));
  } catch (error) {
    if (HardhatPluginError.isHardhatPluginError(error)) throw error;
    const text = error instanceof OperatorError ? error.message : describeFailure(error, quote);
    throw taskFailure(`${name} failed: ${text}`, error);
  }
}

async function lib() {
  return {
    inputs: await import("../scripts/lib/trader/inputs"),
    catalog: await import("../scripts/lib/trader/catalog"),
    actions: await import("../scripts/lib/trader/actions"),
    format: await import("../scripts/lib/format/series"),
  };
}

task("series", "The listed series: name, call/put, strike, expiry, settled or not, open interest")
  .addOptionalParam("record", RECORD_HELP)
  .addFlag("json", "print JSON instead of text")
  .setAction(async (args: { record?: string; json: boolean }, hre) =>
    trader("series", hre, { record: args.record, signer: 0 }, async (p) => {
      const { catalog } = await lib();
      const { formatSeriesTable } = await import("../scripts/lib/trader/seriesTable");
      const { toJson } = await import("../scripts/lib/ops/context");
      const { quoteSymbol } = await import("../scripts/lib/ops/fund");
      const rows = await catalog.listedSeries(p, hre.ethers.provider);
      const latest = await hre.ethers.provider.getBlock("latest");
      console.log(
        args.json ? toJson(rows) : formatSeriesTable(rows, quoteSymbol(p), BigInt(latest?.timestamp ?? 0)),
      );
      return rows;
    }),
  );

task("list-series", "List a series (lister: LISTER_ROLE; account #3 on config/local.json)")
  .addParam("underlying", "the underlying's symbol (WETH)")
  .addParam("strike", "strike in quote units (1800)")
  .addParam("expiry", "a date (2026-12-13: 08:00 UTC), an ISO time with a zone, or a duration from now (30d)")
  .addParam("type", "call or put")
  .addOptionalParam("from", "the lister's address (default: the first account holding LISTER_ROLE)")
  .addOptionalParam("record", RECORD_HELP)
  .setAction(
    async (
      args: {
        underlying: string;
        strike: string;
        expiry: string;
        type: string;
        from?: string;
        record?: string;
      },
      hre,
    ) =>
      trader("list-series", hre, { record: args.record, signer: 0 }, async (p) => {
        const { listerSigner, listSeries } = await import("../scripts/lib/trader/listing");
        const lister = await listerSigner(p, await hre.ethers.getSigners(), args.from);
        const listed = await listSeries(p, lister, args);
        console.log(
          `listed ${listed.name} (id ${listed.id}) by ${await lister.getAddress()} (tx ${listed.tx})`,
        );
        return listed;
      }),
  );

task("open-account", "Open a clearing account owned by the signer")
  .addOptionalParam("signer", SIGNER_HELP, 0, types.int)
  .addOptionalParam("record", RECORD_HELP)
  .setAction(async (args: Common, hre) =>
    trader("open-account", hre, args, async (p, signerOf) => {
      const signer = await signerOf();
      const { actions } = await lib();
      const opened = await actions.openAccount(p, signer);
      console.log(`opened account ${opened.accountId} for ${await signer.getAddress()} (tx ${opened.tx})`);
      return opened;
    }),
  );

task("deposit", "Deposit an asset into its collateral vault and the vault shares into an account")
  .addParam("account", "the account id", undefined, types.string)
  .addParam("asset", "the collateral asset's symbol (USDC, WETH, ...)")
  .addParam("amount", "amount in asset units (1.5)")
  .addFlag("mint", "mint the missing amount first (mock tokens of a local deployment only)")
  .addOptionalParam("signer", SIGNER_HELP, 0, types.int)
  .addOptionalParam("record", RECORD_HELP)
  .setAction(async (args: Common & { account: string; asset: string; amount: string; mint: boolean }, hre) =>
    trader("deposit", hre, args, async (p, signerOf) => {
      const signer = await signerOf();
      const { inputs, actions, format } = await lib();
      const accountId = inputs.parseAccountId(args.account);
      const result = await actions.deposit(p, signer, {
        accountId,
        symbol: args.asset,
        amount: (decimals, symbol) => inputs.parseAmount(args.amount, decimals, symbol),
        mint: args.mint,
      });
      console.log(
        `deposited ${format.formatTokens(result.assets, result.decimals, result.symbol)} into account ${accountId}` +
          `${result.minted ? " (minted from the mock faucet first)" : ""} as ${format.formatTokens(result.shares, result.shareDecimals, result.shareSymbol)} vault shares`,
      );
      return result;
    }),
  );

task("withdraw", "Withdraw collateral from an account and redeem it from the vault")
  .addParam("account", "the account id", undefined, types.string)
  .addParam("asset", "the collateral asset's symbol (USDC, WETH, ...)")
  .addParam("amount", "amount in asset units (1.5), or all")
  .addOptionalParam("to", "who receives the tokens (default: the signer)")
  .addOptionalParam("signer", SIGNER_HELP, 0, types.int)
  .addOptionalParam("record", RECORD_HELP)
  .setAction(async (args: Common & { account: string; asset: string; amount: string; to?: string }, hre) =>
    trader("withdraw", hre, args, async (p, signerOf) => {
      const signer = await signerOf();
      const { inputs, actions, format } = await lib();
      const accountId = inputs.parseAccountId(args.account);
      const to = args.to === undefined ? undefined : inputs.parseAddress(args.to, "--to");
      const result = await actions.withdraw(p, signer, {
        accountId,
        symbol: args.asset,
        amount: (decimals, symbol) => inputs.parseAmountOrAll(args.amount, decimals, symbol),
        to,
      });
      console.log(
        `withdrew ${format.formatTokens(result.assets, result.decimals, result.symbol)} from account ${accountId} to ${result.to}`,
      );
      return result;
    }),
  );

/** The flags of the tasks that move contracts of one series in an account. */
function seriesTask(name: string, description: string, withTo: boolean) {
  const t = task(name, description)
    .addParam("account", "the account id", undefined, types.string)
    .addParam("series", SERIES_HELP)
    .addParam("amount", "contracts (1 contract is on one whole unit of the underlying)");
  if (withTo) t.addOptionalParam("to", "who receives the long tokens (default: the signer)");
  return t.addOptionalParam("signer", SIGNER_HELP, 0, types.int).addOptionalParam("record", RECORD_HELP);
}

interface SeriesArgs extends Common {
  account: string;
  series: string;
  amount: string;
  to?: string;
}

async function seriesInputs(hre: HardhatRuntimeEnvironment, p: Protocol, args: SeriesArgs) {
  const { inputs, catalog, actions } = await lib();
  const accountId = inputs.parseAccountId(args.account);
  const amount = inputs.parseAmount(args.amount, actions.CONTRACT_DECIMALS, "contracts");
  const to = args.to === undefined ? undefined : inputs.parseAddress(args.to, "--to");
  const series = await catalog.resolveSeries(p, hre.ethers.provider, args.series);
  return { accountId, amount, to, series };
}

seriesTask(
  "write",
  "Write (sell) options from an account: a short in the account, long tokens to the recipient",
  true,
).setAction(async (args: SeriesArgs, hre) =>
  trader("write", hre, args, async (p, signerOf) => {
    const signer = await signerOf();
    const { actions } = await lib();
    const x = await seriesInputs(hre, p, args);
    const result = await actions.write(p, signer, x);
    console.log(
      `account ${x.accountId} wrote ${actions.contracts(x.amount)} of ${x.series.name}; the longs went to ${result.to} (tx ${result.tx})`,
    );
    return { ...result, seriesId: x.series.id, series: x.series.name };
  }),
);

seriesTask("close", "Close an account's short with the signer's long tokens", false).setAction(
  async (args: SeriesArgs, hre) =>
    trader("close", hre, args, async (p, signerOf) => {
      const signer = await signerOf();
      const { actions } = await lib();
      const x = await seriesInputs(hre, p, args);
      const result = await actions.close(p, signer, x);
      console.log(
        `closed ${actions.contracts(x.amount)} of ${x.series.name} in account ${x.accountId} (tx ${result.tx})`,
      );
      return { ...result, seriesId: x.series.id, series: x.series.name };
    }),
);

seriesTask(
  "deposit-longs",
  "Move the signer's long tokens into an account (netted against its short)",
  false,
).setAction(async (args: SeriesArgs, hre) =>
  trader("deposit-longs", hre, args, async (p, signerOf) => {
    const signer = await signerOf();
    const { actions } = await lib();
    const x = await seriesInputs(hre, p, args);
    const result = await actions.depositLongs(p, signer, x);
    console.log(
      `deposited ${actions.contracts(x.amount)} of ${x.series.name} into account ${x.accountId} (tx ${result.tx})`,
    );
    return { ...result, seriesId: x.series.id, series: x.series.name };
  }),
);

seriesTask("withdraw-longs", "Take long positions out of an account as tokens", true).setAction(
  async (args: SeriesArgs, hre) =>
    trader("withdraw-longs", hre, args, async (p, signerOf) => {
      const signer = await signerOf();
      const { actions } = await lib();
      const x = await seriesInputs(hre, p, args);
      const result = await actions.withdrawLongs(p, signer, x);
      console.log(
        `withdrew ${actions.contracts(x.amount)} of ${x.series.name} from account ${x.accountId} to ${result.to} (tx ${result.tx})`,
      );
      return { ...result, seriesId: x.series.id, series: x.series.name };
    }),
);

task("exercise", "Exercise long tokens of a settled series: the payout in the quote asset")
  .addParam("series", SERIES_HELP)
  .addParam("amount", "contracts, or all")
  .addOptionalParam("to", "who receives the payout (default: the signer)")
  .addOptionalParam("signer", SIGNER_HELP, 0, types.int)
  .addOptionalParam("record", RECORD_HELP)
  .setAction(async (args: Common & { series: string; amount: string; to?: string }, hre) =>
    trader("exercise", hre, args, async (p, signerOf) => {
      const signer = await signerOf();
      const { inputs, catalog, actions, format } = await lib();
      const { quoteAsset } = await import("../scripts/lib/trader/assets");
      const amount = inputs.parseAmountOrAll(args.amount, actions.CONTRACT_DECIMALS, "contracts");
      const to = args.to === undefined ? undefined : inputs.parseAddress(args.to, "--to");
      const series = await catalog.resolveSeries(p, hre.ethers.provider, args.series);
      const quote = await quoteAsset(p, hre.ethers.provider);
      const result = await actions.exercise(p, signer, {
        series,
        amount,
        to,
        quoteToken: p.record.tokens[quote.symbol],
      });
      console.log(
        `exercised ${actions.contracts(result.amount)} of ${series.name}: paid ${format.formatTokens(result.paid, quote.decimals, quote.symbol)} to ${result.to}`,
      );
      return { ...result, seriesId: series.id, series: series.name };
    }),
  );

task("account", "One account: owner, positions, collateral, debt and health")
  .addParam("account", "the account id", undefined, types.string)
  .addOptionalParam("record", RECORD_HELP)
  .addFlag("json", "print JSON instead of text")
  .setAction(async (args: { account: string; record?: string; json: boolean }, hre) =>
    trader("account", hre, { record: args.record, signer: 0 }, async (p) => {
      const { inputs } = await lib();
      const { accountView, formatAccount } = await import("../scripts/lib/trader/view");
      const { toJson } = await import("../scripts/lib/ops/context");
      const view = await accountView(p, hre.ethers.provider, inputs.parseAccountId(args.account));
      console.log(args.json ? toJson(view) : formatAccount(view));
      return view;
    }),
  );
