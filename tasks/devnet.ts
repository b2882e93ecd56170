/**
 * Hardhat tasks for local development chains: `advance-time`. Imported by hardhat.config.ts; the scripts load only
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
