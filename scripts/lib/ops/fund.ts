/**
 * Set up a keeper's clearing account: deposit quote tokens into the quote collateral vault, open a clearing account
 * for the keeper's signer if it has none, and deposit the vault shares into it. On a deployment with mock tokens
 * (config/local.json) the tokens are minted from the mock's public faucet first; on a real network the signer must
 * hold them.
 */
import { parseUnits, type Signer } from "ethers";
import { CollateralVault__factory, ERC20__factory, MockERC20__factory } from "../../../typechain-types";
import type { Protocol } from "../operator/protocol";
import { OperatorError } from "../operator/errors";
import { Discovery } from "../keeper/discovery";

export interface FundResult {
  accountId: bigint;
  opened: boolean;
  minted: boolean;
  depositedAssets: bigint;
  shares: bigint;
  symbol: string;
}

/** The quote symbol of a deployment record's config. */
export function quoteSymbol(p: Protocol): string {
  const quote = (p.record.config as { quote?: unknown } | null)?.quote;
  if (typeof quote !== "string" || p.record.tokens[quote] === undefined) {
    throw new OperatorError("the deployment record's config names no quote asset");
  }
  return quote;
}

export async function fundKeeperAccount(
  p: Protocol,
  signer: Signer,
  amount: string,
  options: { accountId?: bigint; blockRange?: number } = {},
): Promise<FundResult> {
  const symbol = quoteSymbol(p);
  const token = ERC20__factory.connect(p.record.tokens[symbol], signer);
  const vaultAddress = p.record.contracts[`CollateralVault.${symbol}`];
  if (vaultAddress === undefined) throw new OperatorError(`the deployment has no CollateralVault.${symbol}`);
  const vault = CollateralVault__factory.connect(vaultAddress, signer);
  const clearing = p.clearing.connect(signer);
  const me = await signer.getAddress();
  let assets: bigint;
  try {
    assets = parseUnits(amount, await token.decimals());
  } catch {
    throw new OperatorError(`--amount must be a positive decimal number of ${symbol}, got '${amount}'`);
  }
  if (assets <= 0n) throw new OperatorError(`--amount must be positive, got '${amount}'`);

  let minted = false;
  const balance = await token.balanceOf(me);
  if (balance < assets) {
    if (p.record.mocks?.tokens?.[symbol] === undefined) {
      throw new OperatorError(`${me} holds ${balance} ${symbol} units, less than the ${assets} to deposit`);
    }
    await (
      await MockERC20__factory.connect(await token.getAddress(), signer).mint(me, assets - balance)
    ).wait();
    minted = true;
  }
  await (await token.approve(vaultAddress, assets)).wait();
  const sharesBefore = await vault.balanceOf(me);
  await (await vault.deposit(assets, me)).wait();
  const shares = (await vault.balanceOf(me)) - sharesBefore;

  let accountId = options.accountId;
  let opened = false;
  if (accountId === undefined) {
    const provider = signer.provider;
    if (provider === null) throw new OperatorError("the signer has no provider");
    const discovery = new Discovery(p.clearing, p.record.startBlock, options.blockRange ?? 2_000);
    await discovery.sync(await provider.getBlockNumber());
    accountId = discovery.accountsOf(me)[0];
  }
  if (accountId === undefined) {
    const receipt = await (await clearing.openAccount()).wait();
    for (const entry of receipt?.logs ?? []) {
      const parsed = (() => {
        try {
          return clearing.interface.parseLog(entry);
        } catch {
          return null;
        }
      })();
      if (parsed?.name === "AccountOpened") accountId = parsed.args.accountId as bigint;
    }
    if (accountId === undefined) throw new OperatorError("openAccount emitted no AccountOpened event");
    opened = true;
  }
  await (await vault.approve(await clearing.getAddress(), shares)).wait();
  await (await clearing.depositCollateral(accountId, vaultAddress, shares)).wait();
  return { accountId, opened, minted, depositedAssets: assets, shares, symbol };
}
