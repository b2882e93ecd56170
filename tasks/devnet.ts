/**
 * Hardhat tasks for local development chains: `advance-time`, `move-price`. Imported by hardhat.config.ts; the scripts load only
 * inside the actions (see tasks/operator.ts).
 */
import { task } from "hardhat/config";
import { operator, protocolOf } from "./operator";

task("advance-time", "Move a local chain's clock and re-report every mock feed, so prices stay fresh")
  .addParam("by", "how long: seconds, or a number with s, m, h, d or w (2h, 1d)")
  .addOptionalParam("record", "the deployment record (default: deployments/<network>.json)")
  .setAction(async (args: { by: string; record?: string }, hre) =>
    operator("advance-time", async () => {
      const { parseDuration } = await import("../scripts/lib/units");
      const { OperatorError } = await import("../scripts/lib/operator/errors");
      const { advanceTime, formatAdvance } = await import("../scripts/lib/devnet/time");
      let seconds: number;
      try {
        seconds = parseDuration(args.by);
      } catch (error) {
        throw new OperatorError(`--by: ${error instanceof Error ? error.message : String(error)}`);
      }
      const p = await protocolOf(hre, args.record);
      const [signer] = await hre.ethers.getSigners();
      const result = await advanceTime(p, hre.ethers.provider, signer, seconds);
      console.log(formatAdvance(result));
      return result;
    }),
  );

task("move-price", "Set every mock feed of an asset to a price now and poke the oracle (local deployments)")
  .addParam("asset", "the asset's symbol (WETH)")
  .addParam("to", "the new price in quote units per whole unit (1600)")
  .addOptionalParam("record", "the deployment record (default: deployments/<network>.json)")
  .setAction(async (args: { asset: string; to: string; record?: string }, hre) =>
    operator("move-price", async () => {
      const { parseDecimal } = await import("../scripts/lib/units");
      const { OperatorError } = await import("../scripts/lib/operator/errors");
      const { movePrice } = await import("../scripts/lib/devnet/price");
      const { formatWadAmount } = await import("../scripts/lib/format/fields");
      let toWad: bigint;
      try {
        toWad = parseDecimal(args.to, 18);
      } catch (error) {
        throw new OperatorError(`--to: ${error instanceof Error ? error.message : String(error)}`);
      }
      const p = await protocolOf(hre, args.record);
      const [signer] = await hre.ethers.getSigners();
      const move = await movePrice(p, signer, args.asset, toWad);
      const price = (wad: bigint) => formatWadAmount(wad, 18);
      console.log(
        `${move.symbol}: ${move.feeds} mock feeds ${price(move.fromWad)} -> ${price(move.toWad)}; oracle poke: ${move.outcome}`,
      );
      return move;
    }),
  );
