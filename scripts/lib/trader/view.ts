/**
 * One account as a trader reads it: owner, positions by series name, collateral per vault in asset units, debt, and
 * health (collateral value, maintenance, initial, margin ratio; the auction discount only when it is liquidatable).
 */
import type { Provider } from "ethers";
import { CollateralVault__factory, ERC20__factory } from "../../../typechain-types";
import type { Protocol } from "../operator/protocol";
import { decodeRevert } from "../operator/reverts";
import { formatAmount, formatTokens } from "../format/series";
import { accountOwner } from "./accounts";
import { seriesById } from "./catalog";
import { contracts } from "./actions";
import { quoteAsset } from "./assets";

export interface AccountView {
  accountId: bigint;
  owner: string;
  quote: { symbol: string; decimals: number };
  positions: { seriesId: bigint; series: string; position: bigint; settled: boolean }[];
  collateral: {
    vault: string;
    symbol: string;
    decimals: number;
    shares: bigint;
    shareSymbol: string;
    shareDecimals: number;
    assets: bigint;
  }[];
  debtWad: bigint;
  health?: {
    collateralValueWad: bigint;
    maintenanceWad: bigint;
    initialWad: bigint;
    debtWad: bigint;
    /** Collateral value / maintenance, WAD; undefined without a requirement. */
    marginRatioWad?: bigint;
    liquidatable: boolean;
    /** The auction discount now, WAD (only when liquidatable). */
    discountWad?: bigint;
  };
  /** Why the health is unavailable (the oracle refused a price). */
  healthError?: string;
}

const WAD = 10n ** 18n;

export async function accountView(p: Protocol, provider: Provider, accountId: bigint): Promise<AccountView> {
  const owner = await accountOwner(p, accountId);
  const quote = await quoteAsset(p, provider);
  const positions: AccountView["positions"] = [];
  for (const seriesId of await p.clearing.seriesOf(accountId)) {
    const position = await p.clearing.positionOf(accountId, seriesId);
    const s = await seriesById(p, seriesId);
    positions.push({ seriesId, series: s?.name ?? String(seriesId), position, settled: s?.settled ?? false });
  }
  const collateral: AccountView["collateral"] = [];
  for (const vault of await p.clearing.collateralVaults()) {
    const shares = await p.clearing.collateralOf(accountId, vault);
    if (shares === 0n) continue;
    const v = CollateralVault__factory.connect(vault, provider);
    const asset = await v.asset();
    collateral.push({
      vault,
      symbol: p.symbolOf(asset),
      decimals: Number(await ERC20__factory.connect(asset, provider).decimals()),
      shares,
      shareSymbol: await v.symbol(),
      shareDecimals: Number(await v.decimals()),
      assets: await v.convertToAssets(shares),
    });
  }
  const view: AccountView = {
    accountId,
    owner,
    quote,
    positions,
    collateral,
    debtWad: await p.clearing.debtOf(accountId),
  };
  try {
    const h = await p.clearing.health(accountId);
    const liquidatable = h.collateralValueWad < h.maintenanceWad;
    view.health = {
      collateralValueWad: h.collateralValueWad,
      maintenanceWad: h.maintenanceWad,
      initialWad: h.initialWad,
      debtWad: h.debtWad,
      marginRatioWad: h.maintenanceWad === 0n ? undefined : (h.collateralValueWad * WAD) / h.maintenanceWad,
      liquidatable,
      discountWad: liquidatable ? await p.clearing.liquidationDiscount(accountId) : undefined,
    };
  } catch (error) {
    view.healthError = decodeRevert(error).text;
  }
  return view;
}

/** The account as text for a terminal. */
export function formatAccount(v: AccountView): string {
  const q = (wad: bigint) =>
    formatTokens(wad / 10n ** BigInt(18 - v.quote.decimals), v.quote.decimals, v.quote.symbol);
  const out = [`account ${v.accountId} (owner ${v.owner})`, "positions:"];
  if (v.positions.length === 0) out.push("  none");
  for (const x of v.positions) {
    const side = x.position < 0n ? "short" : "long";
    const size = x.position < 0n ? -x.position : x.position;
    out.push(`  ${x.series.padEnd(24)} ${side} ${contracts(size)}${x.settled ? " (settled)" : ""}`);
  }
  out.push("collateral:");
  if (v.collateral.length === 0) out.push("  none");
  for (const c of v.collateral)
    out.push(
      `  ${formatTokens(c.assets, c.decimals, c.symbol)} (${formatTokens(c.shares, c.shareDecimals, c.shareSymbol)} vault shares)`,
    );
  out.push(`debt: ${q(v.debtWad)}`);
  const h = v.health;
  if (h === undefined) out.push(`health: unavailable (${v.healthError ?? "unknown"})`);
  else {
    const ratio =
      h.marginRatioWad === undefined
        ? "no requirement"
        : `${formatAmount((h.marginRatioWad / 10n ** 14n) * 10n ** 14n, 18)}x maintenance`;
    out.push(
      `health: ${h.liquidatable ? "LIQUIDATABLE" : "healthy"}`,
      `  collateral value ${q(h.collateralValueWad)}`,
      `  maintenance      ${q(h.maintenanceWad)}`,
      `  initial          ${q(h.initialWad)}`,
      `  margin ratio     ${ratio}`,
    );
    if (h.discountWad !== undefined)
      out.push(`  auction discount ${formatAmount(h.discountWad * 100n, 18)}%`);
  }
  return out.join("\n");
}
