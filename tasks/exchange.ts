/**
 * Hardhat tasks for signed orders on OptionsExchange: `sign-order` (writes a signed order file), `fill-order`
 * (fills from such a file) and `cancel-order`. The exchange is `--exchange`, or the deployment record's
 * OptionsExchange. A bad input fails the task with one line naming it, before anything is sent.
 */
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { signerAt, SIGNER_HELP, withOrderFlags, type OrderFlagArgs } from "./orderFlags";

const EXCHANGE_HELP = "the OptionsExchange address (default: the deployment record's)";

async function exchangeOf(hre: HardhatRuntimeEnvironment, address: string | undefined, signerIndex: number) {
  const { OptionsExchange__factory } = await import("../typechain-types");
  const { OperatorError } = await import("../scripts/lib/operator/errors");
  const signer = await signerAt(hre, signerIndex);
  let at = address;
  if (at === undefined) {
    const { protocolOf } = await import("./operator");
    const p = await protocolOf(hre, undefined);
    const recorded: string | undefined = p.record.contracts["OptionsExchange"];
    if (recorded === undefined)
      throw new OperatorError("the deployment record has no OptionsExchange: pass --exchange");
    at = recorded;
  }
  return { exchange: OptionsExchange__factory.connect(at, signer), signer };
}

async function run<T>(name: string, action: () => Promise<T>): Promise<T> {
  const { taskFailure } = await import("../scripts/lib/ops/taskFailure");
  try {
    return await action();
  } catch (error) {
    throw taskFailure(`${name} failed: ${(error as Error).message}`, error);
  }
}

withOrderFlags(
  task("sign-order", "Sign an order of your account and write it to a file for a counterparty to fill"),
)
  .addOptionalParam("exchange", EXCHANGE_HELP)
  .addFlag("fillOrKill", "fill whole in one call or not at all")
  .addParam("out", "the file to write")
  .setAction(async (args: OrderFlagArgs & { exchange?: string; fillOrKill: boolean; out: string }, hre) =>
    run("sign-order", async () => {
      const { signOrderFor, writeOrderFile } = await import("../scripts/lib/exchange/actions");
      const { exchange, signer } = await exchangeOf(hre, args.exchange, args.signer);
      const latest = await hre.ethers.provider.getBlock("latest");
      const file = await signOrderFor(exchange, signer, args, BigInt(latest?.timestamp ?? 0));
      writeOrderFile(args.out, file);
      console.log(`signed order ${file.hash} written to ${args.out}`);
      return file;
    }),
  );

task("fill-order", "Fill a signed order from a file, from your account, at the order's price")
  .addOptionalParam("exchange", EXCHANGE_HELP)
  .addParam("signer", SIGNER_HELP, 0, types.int)
  .addParam("order", "the signed order file")
  .addParam("account", "your clearing account id")
  .addParam("amount", "contracts to take (1.5)")
  .addParam("maxFee", "the most taker fee per contract you accept, in quote units", "0")
  .setAction(async (args, hre) =>
    run("fill-order", async () => {
      const { fillOrderFrom, readOrderFile } = await import("../scripts/lib/exchange/actions");
      const { exchange, signer } = await exchangeOf(hre, args.exchange, args.signer);
      const result = await fillOrderFrom(exchange, signer, readOrderFile(args.order), args);
      console.log(
        `filled: order ${result.hash} now ${hre.ethers.formatUnits(result.filled, 18)} contracts filled`,
      );
      return result;
    }),
  );

task("cancel-order", "Cancel your signed order (from its file or by hash)")
  .addOptionalParam("exchange", EXCHANGE_HELP)
  .addParam("signer", SIGNER_HELP, 0, types.int)
  .addOptionalParam("order", "the signed order file")
  .addOptionalParam("hash", "the order hash")
  .setAction(async (args: { exchange?: string; signer: number; order?: string; hash?: string }, hre) =>
    run("cancel-order", async () => {
      const { cancelOrders, readOrderFile } = await import("../scripts/lib/exchange/actions");
      const { OperatorError } = await import("../scripts/lib/operator/errors");
      const hash = args.hash ?? (args.order === undefined ? undefined : readOrderFile(args.order).file.hash);
      if (hash === undefined) throw new OperatorError("give --order or --hash");
      const { exchange, signer } = await exchangeOf(hre, args.exchange, args.signer);
      await cancelOrders(exchange, signer, [hash]);
      console.log(`cancelled ${hash}`);
      return hash;
    }),
  );
