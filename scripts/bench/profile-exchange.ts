import { BaseContract } from "ethers";
import { Side } from "../lib/exchange/order";
import { deployExchangeSystem, TAKER_FEE } from "../../test/shared/fixtures/exchange";
import { namesOf, profileTx } from "./profile";

const WAD = 10n ** 18n;

async function main(): Promise<void> {
  const sys = await deployExchangeSystem();
  const names = await namesOf(sys);
  for (const [key, value] of Object.entries(sys)) {
    if (value instanceof BaseContract) names.set((await value.getAddress()).toLowerCase(), key);
  }
  const { exchange, alice, bob, aliceAccount, bobAccount } = sys;
  const a = await sys.order(alice, aliceAccount, { side: Side.Sell, amount: 10n * WAD });
  await exchange.connect(bob).fill(a.order, a.signature, WAD, bobAccount, TAKER_FEE);
  const b = await sys.order(alice, aliceAccount, { side: Side.Sell, amount: 10n * WAD });
  const r = await (await exchange.connect(bob).fill(b.order, b.signature, WAD, bobAccount, TAKER_FEE)).wait();
  console.log(`fill steady: ${r!.gasUsed}`);
  console.log((await profileTx(r!.hash, names, 4)).join("\n"));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
