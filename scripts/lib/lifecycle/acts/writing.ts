/** Act 3: a WETH 1,800 put for 7 days is listed; Alice writes 2 to Bob, Bob sends 0.5 to Dave. */
import { seriesName } from "../../format/series";
import { check, checkOpenInterest } from "../checks";
import { wait, type LifecycleContext } from "../context";
import { contracts } from "../narrator";
import { SCENARIO as S } from "../scenario";
import type { Accounts } from "./deposits";

export interface Series {
  seriesId: bigint;
  expiry: number;
  /** Alice's short after writing. */
  shortBefore: bigint;
}

export async function writingAct(ctx: LifecycleContext, { aliceAccount }: Accounts): Promise<Series> {
  const { n, clearing, market, wethAddress } = ctx;
  const { lister, alice, bob, dave } = ctx.cast;
  n.step(
    "Writing and transferring: a WETH 1,800 put for 7 days; Alice writes 2 to Bob, Bob sends 0.5 to Dave",
  );
  const expiry = (await market.now()) + S.expirySeconds;
  await wait(clearing.connect(lister).listSeries(wethAddress, S.strikeWad, expiry, false));
  const seriesId = await clearing.seriesIdOf(wethAddress, S.strikeWad, expiry, false);
  await wait(clearing.connect(alice).write(aliceAccount, seriesId, S.putsWritten, bob.address));
  await wait(clearing.connect(bob).safeTransferFrom(bob.address, dave.address, seriesId, S.putsToDave, "0x"));
  const bobLongs = await clearing.balanceOf(bob.address, seriesId);
  const daveLongs = await clearing.balanceOf(dave.address, seriesId);
  check(
    bobLongs === S.putsWritten - S.putsToDave && daveLongs === S.putsToDave,
    `longs after the transfer: Bob ${bobLongs}, Dave ${daveLongs}`,
  );
  const shortBefore = -(await clearing.positionOf(aliceAccount, seriesId));
  check(shortBefore === S.putsWritten, `Alice's short is ${shortBefore}`);
  await checkOpenInterest(clearing, seriesId);
  n.line(
    `${seriesName({ underlying: "WETH", strikeWad: S.strikeWad, expiry, isCall: false })} (id ${seriesId}): Alice short ${contracts(shortBefore)}, Bob long ${contracts(bobLongs)}, Dave long ` +
      `${contracts(daveLongs)}; open interest balanced`,
  );
  await ctx.showWallets(seriesId);
  await ctx.showHealth("Alice", aliceAccount);
  return { seriesId, expiry, shortBefore };
}
