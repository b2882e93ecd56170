/**
 * What a trader does with an account, each checked first so that a bad input is refused by name before anything
 * is sent: open an account, deposit and withdraw collateral (in asset units), write, close, deposit and withdraw
 * longs, exercise (in contracts, 18 decimals).
 */
import type { ContractTransactionResponse, Signer } from "ethers";
import { ERC20__factory, MockERC20__factory } from "../../../typechain-types";
import type { Protocol } from "../operator/protocol";
import { OperatorError } from "../operator/errors";
import { decodeRevert } from "../operator/reverts";
import { formatAmount, formatTokens, utcDate } from "../format/series";
import { assetVault } from "./assets";
import { accountOwner, requireAuthorized } from "./accounts";
import type { ListedSeries } from "./catalog";

/** Option amounts have 18 decimals: 1e18 is one contract on one whole unit of the underlying. */
export const CONTRACT_DECIMALS = 18;
export const contracts = (amount: bigint): string =>
  `${formatAmount(amount, CONTRACT_DECIMALS)} ${amount === 10n ** 18n ? "contract" : "contracts"}`;

async function sent(tx: Promise<ContractTransactionResponse>): Promise<string> {
  const receipt = await (await tx).wait();
  return receipt?.hash ?? "";
}

/**
 * Send a clearing call with a quarter more gas than estimated: the oracle refuses a call that leaves too little gas
 * for its sources (InsufficientGasForSource), and the mined block's time may take a costlier path than the estimate's.
 */
async function sentWithMargin(
  estimate: Promise<bigint>,
  send: (overrides: { gasLimit: bigint }) => Promise<ContractTransactionResponse>,
): Promise<string> {
  const gas = await estimate;
  return sent(send({ gasLimit: gas + gas / 4n }));
}

async function latestTimestamp(signer: Signer): Promise<bigint> {
  const block = await signer.provider?.getBlock("latest");
  if (block === null || block === undefined) throw new OperatorError("the node returned no latest block");
  return BigInt(block.timestamp);
}

export async function openAccount(p: Protocol, signer: Signer): Promise<{ accountId: bigint; tx: string }> {
  const clearing = p.clearing.connect(signer);
  const receipt = await (await clearing.openAccount()).wait();
  for (const entry of receipt?.logs ?? []) {
    const parsed = clearing.interface.parseLog(entry);
    if (parsed?.name === "AccountOpened")
      return { accountId: parsed.args.accountId as bigint, tx: receipt?.hash ?? "" };
  }
  throw new OperatorError("openAccount emitted no AccountOpened event");
}

export interface DepositResult {
  accountId: bigint;
  symbol: string;
  decimals: number;
  assets: bigint;
  shares: bigint;
  /** The vault's share token: symbol and decimals (the asset's plus the vault's offset). */
  shareSymbol: string;
  shareDecimals: number;
  minted: boolean;
}

/** Deposit `amount` of asset `symbol` (minted first with `mint` on a mock token) into its vault, then the shares into the account. */
export async function deposit(
  p: Protocol,
  signer: Signer,
  args: {
    accountId: bigint;
    symbol: string;
    amount: (decimals: number, symbol: string) => bigint;
    mint: boolean;
  },
): Promise<DepositResult> {
  const a = await assetVault(p, args.symbol, signer);
  const assets = args.amount(a.decimals, a.symbol);
  await accountOwner(p, args.accountId);
  const me = await signer.getAddress();
  if (args.mint && !a.isMock) {
    throw new OperatorError(
      `--mint works only on the mock tokens of a local deployment; ${a.symbol} is not one`,
    );
  }
  const balance = await a.token.balanceOf(me);
  let minted = false;
  if (balance < assets) {
    if (!args.mint) {
      throw new OperatorError(
        `${me} holds ${formatTokens(balance, a.decimals, a.symbol)}, less than the ${formatTokens(assets, a.decimals, a.symbol)} to deposit${a.isMock ? " (add --mint to mint the mock token)" : ""}`,
      );
    }
    await sent(MockERC20__factory.connect(a.tokenAddress, signer).mint(me, assets - balance));
    minted = true;
  }
  await sent(a.token.approve(a.vaultAddress, assets));
  const before = await a.vault.balanceOf(me);
  await sent(a.vault.deposit(assets, me));
  const shares = (await a.vault.balanceOf(me)) - before;
  await sent(a.vault.approve(await p.clearing.getAddress(), shares));
  const c = p.clearing.connect(signer);
  const call = [args.accountId, a.vaultAddress, shares] as const;
  await sentWithMargin(c.depositCollateral.estimateGas(...call), (o) => c.depositCollateral(...call, o));
  return {
    accountId: args.accountId,
    symbol: a.symbol,
    decimals: a.decimals,
    assets,
    shares,
    shareSymbol: await a.vault.symbol(),
    shareDecimals: Number(await a.vault.decimals()),
    minted,
  };
}

/** Withdraw collateral of asset `symbol` from the account and redeem the shares to `to`. */
export async function withdraw(
  p: Protocol,
  signer: Signer,
  args: {
    accountId: bigint;
    symbol: string;
    amount: (decimals: number, symbol: string) => bigint | "all";
    to?: string;
  },
): Promise<{ symbol: string; decimals: number; shares: bigint; assets: bigint; to: string }> {
  const a = await assetVault(p, args.symbol, signer);
  const amount = args.amount(a.decimals, a.symbol);
  const me = await signer.getAddress();
  await requireAuthorized(p, args.accountId, me);
  const to = args.to ?? me;
  const held = await p.clearing.collateralOf(args.accountId, a.vaultAddress);
  const shares = amount === "all" ? held : await a.vault.previewWithdraw(amount);
  if (held === 0n || shares > held) {
    throw new OperatorError(
      `account ${args.accountId} holds ${formatTokens(await a.vault.convertToAssets(held), a.decimals, a.symbol)} of collateral, less than the ${amount === "all" ? "amount" : formatTokens(amount, a.decimals, a.symbol)} to withdraw`,
    );
  }
  const c = p.clearing.connect(signer);
  const call = [args.accountId, a.vaultAddress, shares, me] as const;
  await sentWithMargin(c.withdrawCollateral.estimateGas(...call), (o) => c.withdrawCollateral(...call, o));
  const before = await a.token.balanceOf(to);
  await sent(a.vault.redeem(shares, to, me));
  return {
    symbol: a.symbol,
    decimals: a.decimals,
    shares,
    assets: (await a.token.balanceOf(to)) - before,
    to,
  };
}

/** Write `amount` contracts of `series` from the account; the longs go to `to` (default the signer). */
export async function write(
  p: Protocol,
  signer: Signer,
  args: { accountId: bigint; series: ListedSeries; amount: bigint; to?: string },
): Promise<{ tx: string; to: string }> {
  const me = await signer.getAddress();
  await requireAuthorized(p, args.accountId, me);
  const now = await latestTimestamp(signer);
  if (now >= args.series.expiry) {
    throw new OperatorError(
      `${args.series.name} expired on ${new Date(Number(args.series.expiry) * 1000).toISOString()}: it cannot be written`,
    );
  }
  const to = args.to ?? me;
  const c = p.clearing.connect(signer);
  const call = [args.accountId, args.series.id, args.amount, to] as const;
  const tx = await sentWithMargin(c.write.estimateGas(...call), (o) => c.write(...call, o));
  return { tx, to };
}

/** Close `amount` contracts of the account's short in `series` with the signer's longs. */
export async function close(
  p: Protocol,
  signer: Signer,
  args: { accountId: bigint; series: ListedSeries; amount: bigint },
): Promise<{ tx: string }> {
  const me = await signer.getAddress();
  await accountOwner(p, args.accountId);
  const position = await p.clearing.positionOf(args.accountId, args.series.id);
  const short = position < 0n ? -position : 0n;
  if (short < args.amount) {
    throw new OperatorError(
      `account ${args.accountId} is short ${contracts(short)} of ${args.series.name}, fewer than the ${contracts(args.amount)} to close`,
    );
  }
  await requireLongs(p, me, args.series, args.amount);
  const c = p.clearing.connect(signer);
  const call = [args.accountId, args.series.id, args.amount] as const;
  return { tx: await sentWithMargin(c.close.estimateGas(...call), (o) => c.close(...call, o)) };
}

async function requireLongs(
  p: Protocol,
  holder: string,
  series: ListedSeries,
  amount: bigint,
): Promise<bigint> {
  const held = await p.clearing.balanceOf(holder, series.id);
  if (held < amount) {
    throw new OperatorError(
      `${holder} holds ${contracts(held)} of ${series.name}, fewer than the ${contracts(amount)} needed`,
    );
  }
  return held;
}

/** Move `amount` of the signer's long tokens of `series` into the account (netted against its short). */
export async function depositLongs(
  p: Protocol,
  signer: Signer,
  args: { accountId: bigint; series: ListedSeries; amount: bigint },
): Promise<{ tx: string }> {
  const me = await signer.getAddress();
  await requireAuthorized(p, args.accountId, me);
  if (args.series.settled)
    throw new OperatorError(`${args.series.name} is settled: exercise its longs instead`);
  await requireLongs(p, me, args.series, args.amount);
  const c = p.clearing.connect(signer);
  const call = [args.accountId, args.series.id, args.amount] as const;
  return { tx: await sentWithMargin(c.depositLongs.estimateGas(...call), (o) => c.depositLongs(...call, o)) };
}

/** Take `amount` longs of `series` out of the account as tokens to `to` (default the signer). */
export async function withdrawLongs(
  p: Protocol,
  signer: Signer,
  args: { accountId: bigint; series: ListedSeries; amount: bigint; to?: string },
): Promise<{ tx: string; to: string }> {
  const me = await signer.getAddress();
  await requireAuthorized(p, args.accountId, me);
  const position = await p.clearing.positionOf(args.accountId, args.series.id);
  const long = position > 0n ? position : 0n;
  if (long < args.amount) {
    throw new OperatorError(
      `account ${args.accountId} is long ${contracts(long)} of ${args.series.name}, fewer than the ${contracts(args.amount)} to withdraw`,
    );
  }
  const to = args.to ?? me;
  const c = p.clearing.connect(signer);
  const call = [args.accountId, args.series.id, args.amount, to] as const;
  return {
    tx: await sentWithMargin(c.withdrawLongs.estimateGas(...call), (o) => c.withdrawLongs(...call, o)),
    to,
  };
}

/** Exercise `amount` (or all) of the signer's longs of a settled series; the payout in quote goes to `to`. */
export async function exercise(
  p: Protocol,
  signer: Signer,
  args: { series: ListedSeries; amount: bigint | "all"; to?: string; quoteToken: string },
): Promise<{ amount: bigint; paid: bigint; to: string }> {
  const me = await signer.getAddress();
  if (!args.series.settled) {
    const expired = (await latestTimestamp(signer)) >= args.series.expiry;
    throw new OperatorError(
      expired
        ? `${args.series.name} is expired but not settled yet: settle it first (the keeper does, or anyone through OptionsClearing.settle)`
        : `${args.series.name} is not settled: it expires on ${utcDate(args.series.expiry)}`,
    );
  }
  const held = await p.clearing.balanceOf(me, args.series.id);
  const amount = args.amount === "all" ? held : args.amount;
  if (amount === 0n) throw new OperatorError(`${me} holds no longs of ${args.series.name}`);
  await requireLongs(p, me, args.series, amount);
  const to = args.to ?? me;
  const quote = ERC20__factory.connect(args.quoteToken, signer);
  const before = await quote.balanceOf(to);
  try {
    await p.clearing.connect(signer).exercise.staticCall(args.series.id, amount, to);
  } catch (error) {
    if (decodeRevert(error).name === "InsufficientSettledFunds") {
      throw new OperatorError(
        `the settlement pool of ${args.series.name} cannot pay ${contracts(amount)} yet: its short accounts are not settled (the keeper settles them; anyone may call OptionsClearing.settleAccount)`,
      );
    }
    throw error;
  }
  const c = p.clearing.connect(signer);
  const call = [args.series.id, amount, to] as const;
  await sentWithMargin(c.exercise.estimateGas(...call), (o) => c.exercise(...call, o));
  return { amount, paid: (await quote.balanceOf(to)) - before, to };
}
