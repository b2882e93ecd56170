/**
 * Hardhat tasks for operators (docs/operations.md): `status`, `health`, `pause`, `queue-resume`, `execute-resume`,
 * `keeper-fund` and `keeper`. Every task reads the deployment record of `--network` (deployments/<network>.json,
 * or `--record <path>`).
 *
 * The task modules are imported by hardhat.config.ts, which must load before anything is compiled: they import
 * the scripts (and through them the TypeChain bindings) only inside their actions.
 */
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

const RECORD_HELP = "the deployment record (default: deployments/<network>.json)";

/**
 * Run an operator action; an OperatorError, or a revert the protocol's errors decode (`ScopeTripped(...)`,
 * `AccountNotFound(...)`), becomes a one-line message and a failed task (non-zero exit) instead of a stack trace.
 */
export async function operator<T>(name: string, action: () => Promise<T>): Promise<T> {
  const { OperatorError } = await import("../scripts/lib/operator/errors");
  try {
    return await action();
  } catch (error) {
    const { taskFailure } = await import("../scripts/lib/ops/taskFailure");
    if (error instanceof OperatorError) throw taskFailure(`${name} failed: ${error.message}`, error);
    const { decodeRevert } = await import("../scripts/lib/operator/reverts");
    const reason = decodeRevert(error);
    if (reason.name !== undefined) throw taskFailure(`${name} failed: ${reason.text}`, error);
    throw error;
  }
}

export async function protocolOf(hre: HardhatRuntimeEnvironment, record?: string) {
  const { loadProtocol } = await import("../scripts/lib/ops/context");
  return loadProtocol(hre, record);
}

task("status", "Prices, breaker scopes, outflow capacity and insurance balance of the deployment")
  .addOptionalParam("record", RECORD_HELP)
  .addFlag("json", "print JSON instead of text")
  .setAction(async (args: { record?: string; json: boolean }, hre) =>
    operator("status", async () => {
      const { protocolStatus, formatStatus } = await import("../scripts/lib/ops/status");
      const { toJson } = await import("../scripts/lib/ops/context");
      const p = await protocolOf(hre, args.record);
      const status = await protocolStatus(p, hre.ethers.provider);
      console.log(args.json ? toJson(status) : formatStatus(status));
      return status;
    }),
  );

task("health", "An account's collateral value, requirements and debt, beside the TypeScript margin reference")
  .addParam("account", "the account id", undefined, types.string)
  .addOptionalParam("record", RECORD_HELP)
  .addFlag("json", "print JSON instead of text")
  .setAction(async (args: { account: string; record?: string; json: boolean }, hre) =>
    operator("health", async () => {
      const { OperatorError } = await import("../scripts/lib/operator/errors");
      const { accountHealth } = await import("../scripts/lib/keeper/health");
      const { toJson } = await import("../scripts/lib/ops/context");
      if (!/^\d+$/.test(args.account) || BigInt(args.account) === 0n) {
        throw new OperatorError(`--account must be a positive integer, got '${args.account}'`);
      }
      const id = BigInt(args.account);
      const p = await protocolOf(hre, args.record);
      const { accountOwner } = await import("../scripts/lib/trader/accounts");
      const owner = await accountOwner(p, id);
      const latest = await hre.ethers.provider.getBlock("latest");
      if (latest === null) throw new OperatorError("the node returned no latest block");
      const h = await accountHealth(p.clearing, p.oracle, id, latest);
      // The auction discount means something only while the account is liquidatable.
      const discountWad = h.liquidatable ? await p.clearing.liquidationDiscount(id) : undefined;
      const { quoteFormat } = await import("../scripts/lib/operator/readable");
      const { formatShareWad, formatWadAmount, withFormatted } = await import("../scripts/lib/format/fields");
      const format = await quoteFormat(p.record, hre.ethers.provider);
      const result = { ...h, owner, ...(discountWad === undefined ? {} : { discountWad }) };
      if (args.json) console.log(toJson(withFormatted(result, format)));
      else {
        const q = (x: bigint) => `${formatWadAmount(x, format.quoteDecimals)} ${format.quoteSymbol}`;
        console.log(
          [
            `account ${id} (owner ${owner}) at block ${h.blockNumber}: ${h.liquidatable ? "LIQUIDATABLE" : "healthy"}`,
            `  collateral value ${q(h.onChain.collateralValueWad)}`,
            `  maintenance      ${q(h.onChain.maintenanceWad)}`,
            `  initial          ${q(h.onChain.initialWad)}`,
            `  debt             ${q(h.onChain.debtWad)}`,
            `  positions ${h.positions} (${h.pendingSettlement} awaiting settleAccount)` +
              (discountWad === undefined ? "" : `, auction discount ${formatShareWad(discountWad)}`),
            h.reference === undefined
              ? `  reference: unavailable (${h.referenceError})`
              : `  reference maintenance ${q(h.reference.maintenanceWad)} (difference ${h.reference.differenceWad} wei, tolerance ${h.reference.toleranceWad} wei: ${h.reference.agrees ? "agrees" : "DISAGREES"})`,
          ].join("\n"),
        );
      }
      return result;
    }),
  );

task("pause", "Pause a breaker scope at once (guardian)")
  .addParam(
    "scope",
    "DEPOSIT, WITHDRAW, WRITE, LIQUIDATE, SETTLE, GLOBAL, an asset symbol (price scope), or a scope id",
  )
  .addParam("reason", "why (kept in the transaction; shown by `status`)")
  .addOptionalParam(
    "from",
    "the guardian's address (default: the first account of the network holding GUARDIAN_ROLE)",
  )
  .addOptionalParam("record", RECORD_HELP)
  .setAction(async (args: { scope: string; reason: string; from?: string; record?: string }, hre) =>
    operator("pause", async () => {
      const { parseScope } = await import("../scripts/lib/ops/scopeNames");
      const { guardianSigner } = await import("../scripts/lib/operator/signers");
      const { pauseScope } = await import("../scripts/lib/ops/pauseResume");
      const p = await protocolOf(hre, args.record);
      const scope = parseScope(args.scope, p.record);
      const guardian = await guardianSigner(p, await hre.ethers.getSigners(), args.from);
      const result = await pauseScope(p, guardian, scope, args.reason);
      console.log(
        result.alreadyTripped
          ? `${scope.label} was already tripped (since ${result.trippedAt}): the first trip is kept (tx ${result.tx})`
          : `paused ${scope.label} by ${await guardian.getAddress()}: "${args.reason}" (tx ${result.tx})`,
      );
      return { scope, ...result };
    }),
  );

task(
  "queue-resume",
  "Schedule the resume of a tripped scope through the timelock (proposer); with a governance Safe, write its proposal",
)
  .addParam("scope", "the tripped scope (as for `pause`)")
  .addOptionalParam("from", "the proposer's address (default: the first account holding PROPOSER_ROLE)")
  .addOptionalParam("out", "with a governance Safe: where to write the proposal (default under proposals/)")
  .addOptionalParam("record", RECORD_HELP)
  .setAction(async (args: { scope: string; from?: string; out?: string; record?: string }, hre) =>
    operator("queue-resume", async () => {
      const { parseScope } = await import("../scripts/lib/ops/scopeNames");
      const { proposerSigner } = await import("../scripts/lib/operator/signers");
      const { proposeResume, queueResume } = await import("../scripts/lib/ops/pauseResume");
      const { proposerSafe } = await import("../scripts/lib/ops/safeGovernance");
      const p = await protocolOf(hre, args.record);
      const scope = parseScope(args.scope, p.record);
      const safe = args.from === undefined ? await proposerSafe(p) : undefined;
      if (safe !== undefined) {
        // The Safe proposes: the owners sign the proposal, then safe-execute schedules it.
        const { defaultProposalPath, writeProposal } = await import("../scripts/lib/safe/proposal");
        const proposal = await proposeResume(p, safe, scope);
        const path = args.out ?? defaultProposalPath(hre.network.name, proposal);
        writeProposal(path, proposal);
        console.log(
          `the timelock's proposer is the Safe ${proposal.safe}: wrote the resume of ${scope.label} as proposal ${path} ` +
            `(safeTxHash ${proposal.safeTxHash}, Safe nonce ${proposal.tx.nonce}); next: safe-sign by the owners, ` +
            `safe-execute, then npx hardhat execute-resume --scope ${args.scope} --network ${hre.network.name}`,
        );
        return { path, proposal };
      }
      const proposer = await proposerSigner(p, await hre.ethers.getSigners(), args.from);
      const op = await queueResume(p, proposer, scope);
      const executable = op.readyAt > op.resumableAt ? op.readyAt : op.resumableAt;
      console.log(
        `scheduled the resume of ${scope.label} (tripped: ${op.reason}) as timelock operation ${op.id} (tx ${op.tx}); ` +
          `executable from ${new Date(Number(executable) * 1000).toISOString()} with: npx hardhat execute-resume --scope ${args.scope} --network ${hre.network.name}`,
      );
      return op;
    }),
  );

task("execute-resume", "Execute the scheduled resume of a scope once the timelock delay has passed")
  .addParam("scope", "the scope (as for `queue-resume`)")
  .addOptionalParam("from", "the executor's address (default: the first account allowed to execute)")
  .addOptionalParam("record", RECORD_HELP)
  .setAction(async (args: { scope: string; from?: string; record?: string }, hre) =>
    operator("execute-resume", async () => {
      const { parseScope } = await import("../scripts/lib/ops/scopeNames");
      const { executorSigner } = await import("../scripts/lib/operator/signers");
      const { executeResume } = await import("../scripts/lib/ops/pauseResume");
      const p = await protocolOf(hre, args.record);
      const scope = parseScope(args.scope, p.record);
      const executor = await executorSigner(p, await hre.ethers.getSigners(), args.from);
      const result = await executeResume(p, executor, scope);
      console.log(
        `resumed ${scope.label} (tx ${result.tx}); liquidations stay off until ${new Date(Number(result.graceEndsAt) * 1000).toISOString()}`,
      );
      return result;
    }),
  );

task("keeper-fund", "Open (if needed) and fund the keeper's clearing account with quote collateral")
  .addParam("amount", "quote tokens to deposit (whole units, e.g. 100000); minted first on mock deployments")
  .addOptionalParam("signer", "index of the keeper's account among the network's accounts", 0, types.int)
  .addOptionalParam(
    "account",
    "an existing clearing account of the signer to top up",
    undefined,
    types.string,
  )
  .addOptionalParam("record", RECORD_HELP)
  .setAction(async (args: { amount: string; signer: number; account?: string; record?: string }, hre) =>
    operator("keeper-fund", async () => {
      const { fundKeeperAccount } = await import("../scripts/lib/ops/fund");
      const { operatorSigner } = await import("../scripts/lib/operator/signers");
      const p = await protocolOf(hre, args.record);
      const signer = await operatorSigner(hre, args.signer);
      const result = await fundKeeperAccount(p, signer, args.amount, {
        accountId: args.account === undefined ? undefined : BigInt(args.account),
      });
      console.log(
        `keeper account ${result.accountId} of ${await signer.getAddress()}${result.opened ? " (opened)" : ""}: ` +
          `deposited ${args.amount} ${result.symbol}${result.minted ? " (minted from the mock faucet)" : ""} as ${result.shares} vault shares`,
      );
      return result;
    }),
  );

task("keeper", "Liquidate accounts below maintenance and settle expired series (one JSON line per decision)")
  .addFlag("once", "run one pass and exit (default: a loop)")
  .addFlag("dryRun", "log decisions and quotes, send nothing")
  .addOptionalParam("interval", "seconds between passes in a loop", 30, types.int)
  .addOptionalParam("record", RECORD_HELP)
  .addOptionalParam("signer", "index of the keeper's account among the network's accounts", 0, types.int)
  .addOptionalParam(
    "account",
    "the keeper's clearing account (default: the first its signer opened)",
    undefined,
    types.string,
  )
  .addOptionalParam("maxFraction", "the most of a portfolio to take per liquidation (0.5 or 50%)", "1")
  .addOptionalParam(
    "minProfitBps",
    "minimum profit, bps of the liability taken (own valuation)",
    50,
    types.int,
  )
  .addOptionalParam("minProfit", "minimum profit in quote units, on top of the bps, net of gas", "0")
  .addOptionalParam(
    "toleranceBps",
    "largest difference between the keeper's valuation and the contract's quote, bps",
    10,
    types.int,
  )
  .addOptionalParam(
    "gasAsset",
    "token symbol whose oracle price values the native coin for gas (default WETH if deployed; none: free)",
    undefined,
    types.string,
  )
  .addOptionalParam(
    "deadline",
    "seconds after the latest block a liquidation must be included within",
    300,
    types.int,
  )
  .addOptionalParam("blockRange", "largest block range of one eth_getLogs", 2000, types.int)
  .addFlag("noSettle", "do not settle expired series or accounts")
  .setAction(
    async (
      args: {
        once: boolean;
        dryRun: boolean;
        interval: number;
        record?: string;
        signer: number;
        account?: string;
        maxFraction: string;
        minProfitBps: number;
        minProfit: string;
        toleranceBps: number;
        gasAsset?: string;
        deadline: number;
        blockRange: number;
        noSettle: boolean;
      },
      hre,
    ) =>
      operator("keeper", async () => {
        const { keeperCommandFromEnv, runKeeperCommand } = await import("../scripts/lib/keeper/cli");
        // The flags, validated by the same parser as the environment variables of scripts/keeper.ts.
        const command = keeperCommandFromEnv({
          KEEPER_RECORD: args.record,
          KEEPER_ONCE: args.once ? "1" : "0",
          KEEPER_DRY_RUN: args.dryRun ? "1" : "0",
          KEEPER_INTERVAL: String(args.interval),
          KEEPER_SIGNER: String(args.signer),
          KEEPER_ACCOUNT_ID: args.account,
          KEEPER_MAX_FRACTION: args.maxFraction,
          KEEPER_MIN_PROFIT_BPS: String(args.minProfitBps),
          KEEPER_MIN_PROFIT: args.minProfit,
          KEEPER_VALUATION_TOLERANCE_BPS: String(args.toleranceBps),
          KEEPER_GAS_ASSET: args.gasAsset,
          KEEPER_DEADLINE: String(args.deadline),
          KEEPER_BLOCK_RANGE: String(args.blockRange),
          KEEPER_SETTLE: args.noSettle ? "0" : "1",
          KEEPER_PRIVATE_KEY: process.env.KEEPER_PRIVATE_KEY,
        });
        const controller = new AbortController();
        for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => controller.abort());
        const run = await runKeeperCommand(hre, command, { signal: controller.signal });
        if (run.summary !== undefined && run.summary.failures > 0) process.exitCode = 1;
        return run.summary;
      }),
  );
