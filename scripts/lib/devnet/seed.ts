/**
 * The devnet's opening book on a fresh local deployment: series listed around spot, named development accounts
 * funded, and short positions written at several leverages (each a share of what the account's initial margin
 * allows, found by the clearing itself with static calls), the longs held by a buyer.
 */
import type { Signer } from "ethers";
import type { Protocol } from "../operator/protocol";
import { OperatorError } from "../operator/errors";
import { formatAmount } from "../format/series";
import { listSeries } from "../trader/listing";
import { deposit, openAccount, write } from "../trader/actions";
import type { ListedSeries } from "../trader/catalog";

const WAD = 10n ** 18n;
/** Positions are sized in whole thousandths of a contract. */
const LOT = 10n ** 15n;
const PERMILLE = 1_000n;

/** One listing: the underlying, the strike as a multiple of spot (permille), the life, the type. */
interface Listing {
  underlying: string;
  strikePermille: bigint;
  life: string;
  type: "put" | "call";
}

/** One writer: a development account, its collateral, and the share of its margin capacity it writes. */
interface WriterSpec {
  name: string;
  signerIndex: number;
  collateral: { symbol: string; amount: string };
  /** Which listing it writes (index into LISTINGS). */
  listing: number;
  /** Share of the largest amount its initial margin allows, in permille. */
  usePermille: bigint;
}

const LISTINGS: readonly Listing[] = [
  ...(["7d", "30d"] as const).flatMap((life) =>
    [900n, 1_000n, 1_100n].flatMap((strikePermille) =>
      (["put", "call"] as const).map((type) => ({ underlying: "WETH", strikePermille, life, type })),
    ),
  ),
  { underlying: "WBTC", strikePermille: 1_000n, life: "30d", type: "put" },
  { underlying: "WBTC", strikePermille: 1_000n, life: "30d", type: "call" },
];

/** Development accounts #4 to #7 write; #8 (Erin) buys every long. Leverage falls from Alice to Dave. */
export const WRITERS: readonly WriterSpec[] = [
  {
    name: "Alice",
    signerIndex: 4,
    collateral: { symbol: "USDC", amount: "5000" },
    listing: 2,
    usePermille: 950n,
  },
  {
    name: "Bob",
    signerIndex: 5,
    collateral: { symbol: "USDC", amount: "20000" },
    listing: 0,
    usePermille: 700n,
  },
  {
    name: "Carol",
    signerIndex: 6,
    collateral: { symbol: "WETH", amount: "5" },
    listing: 11,
    usePermille: 500n,
  },
  {
    name: "Dave",
    signerIndex: 7,
    collateral: { symbol: "USDC", amount: "50000" },
    listing: 12,
    usePermille: 250n,
  },
];
export const BUYER_INDEX = 8;

export interface SeededWriter {
  name: string;
  address: string;
  accountId: bigint;
  series: ListedSeries;
  amount: bigint;
  usePermille: bigint;
}

export interface SeededMarket {
  series: ListedSeries[];
  writers: SeededWriter[];
}

/** A strike near `spotWad` × `permille`, on a round step (two significant digits of spot). */
export function roundStrike(spotWad: bigint, permille: bigint): bigint {
  const target = (spotWad * permille) / PERMILLE / WAD;
  let step = 1n;
  while (step * 100n <= target) step *= 10n;
  return ((target + step / 2n) / step) * step;
}

/** The largest amount, in lots, that `writer` can write of `series` now (the clearing's own margin check). */
async function capacity(
  p: Protocol,
  signer: Signer,
  accountId: bigint,
  series: ListedSeries,
): Promise<bigint> {
  const to = await signer.getAddress();
  const fits = async (lots: bigint): Promise<boolean> => {
    try {
      await p.clearing.connect(signer).write.staticCall(accountId, series.id, lots * LOT, to);
      return true;
    } catch {
      return false;
    }
  };
  let hi = 1n;
  while (await fits(hi)) {
    hi *= 2n;
    if (hi > 10n ** 12n) throw new OperatorError(`no margin limit found writing ${series.name}`);
  }
  let lo = hi / 2n;
  if (!(await fits(lo))) return 0n;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (await fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

export async function seedMarket(
  p: Protocol,
  signers: readonly Signer[],
  log: (line: string) => void,
): Promise<SeededMarket> {
  if (signers.length <= BUYER_INDEX)
    throw new OperatorError(
      `the devnet needs ${BUYER_INDEX + 1} unlocked accounts, the node has ${signers.length}`,
    );
  const lister = signers[3];
  const series: ListedSeries[] = [];
  for (const l of LISTINGS) {
    const [spotWad] = await p.oracle.getPrice(p.record.tokens[l.underlying]);
    const strike = roundStrike(spotWad, l.strikePermille).toString();
    const listed = await listSeries(p, lister, {
      underlying: l.underlying,
      strike,
      expiry: l.life,
      type: l.type,
    });
    series.push(listed);
  }
  log(`listed ${series.length} series: ${series.map((s) => s.name).join(", ")}`);

  const buyer = await signers[BUYER_INDEX].getAddress();
  const writers: SeededWriter[] = [];
  for (const w of WRITERS) {
    const signer = signers[w.signerIndex];
    const { accountId } = await openAccount(p, signer);
    const funded = await deposit(p, signer, {
      accountId,
      symbol: w.collateral.symbol,
      amount: (decimals) => BigInt(w.collateral.amount) * 10n ** BigInt(decimals),
      mint: true,
    });
    const s = series[w.listing];
    const lots = ((await capacity(p, signer, accountId, s)) * w.usePermille) / PERMILLE;
    if (lots === 0n)
      throw new OperatorError(
        `${w.name} cannot write any ${s.name} from ${w.collateral.amount} ${w.collateral.symbol}`,
      );
    await write(p, signer, { accountId, series: s, amount: lots * LOT, to: buyer });
    writers.push({
      name: w.name,
      address: await signer.getAddress(),
      accountId,
      series: s,
      amount: lots * LOT,
      usePermille: w.usePermille,
    });
    log(
      `${w.name} (account ${accountId}): ${w.collateral.amount} ${funded.symbol} in, wrote ` +
        `${formatAmount(lots * LOT, 18)} ${s.name} (${Number(w.usePermille) / 10}% of its margin capacity) to Erin`,
    );
  }
  return { series, writers };
}
