/**
 * The governance flow end to end on a real node (used by test/e2e/DeployNodes.test.ts right after its deployment,
 * so the suite deploys once): `safe-propose` a parameter change (the breaker's cooldown), `safe-sign` by two of the
 * Safe's three owners (by account index, or by key through SAFE_OWNER_KEY), `safe-execute`, then after the
 * timelock's delay `timelock-execute`, each as `npx hardhat <task> --network e2e` in a child process; the change is
 * checked on-chain. One owner alone is refused by safe-execute with a non-zero exit.
 */
import { join } from "node:path";
import { expect } from "chai";
import { HDNodeWallet, JsonRpcProvider, Mnemonic } from "ethers";
import { CircuitBreaker__factory, ProtocolTimelock__factory } from "../../typechain-types";
import { SafeL2__factory } from "../../typechain-types/safe";
import type { DeploymentRecord } from "../../scripts/lib/deploy/suite";
import { runHardhat, type CommandResult } from "./localNode";

/** The development mnemonic of Hardhat's node and anvil. */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

const explain = (r: CommandResult): string =>
  `exit ${r.code}${r.timedOut ? " (timed out)" : ""}\n${r.stdout}\n${r.stderr}`;

/** The private key of development account `index` (anvil serves only #0-#9; config/local.json's Safe owns #10). */
export const devKey = (index: number): string =>
  HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`).privateKey;

export interface SignerChoice {
  /** The second owner signs by account index, or by key when the node does not serve that account. */
  secondOwner: { signer: number } | { key: string };
}

export async function governanceRoundTrip(
  url: string,
  record: DeploymentRecord,
  recordPath: string,
  work: string,
  choice: SignerChoice,
): Promise<void> {
  const env = { E2E_RPC_URL: url };
  const proposal = join(work, `cooldown-${record.chainId}-${Date.now()}.json`);
  const task = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    runHardhat([...args, "--record", recordPath, "--network", "e2e"], { ...env, ...extra });

  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  try {
    const breaker = CircuitBreaker__factory.connect(record.contracts.CircuitBreaker, provider);
    const safe = SafeL2__factory.connect(record.contracts.GovernanceSafe, provider);
    const cooldown = await breaker.cooldownSeconds();
    const nonce = await safe.nonce();

    const proposed = await task([
      "safe-propose",
      "--target",
      "CircuitBreaker",
      "--call",
      "setCooldown(uint64)",
      "--args",
      `[${cooldown * 2n}]`,
      "--out",
      proposal,
    ]);
    expect(proposed.code, explain(proposed)).to.equal(0);
    expect(proposed.stdout).to.contain(
      `Safe ${record.contracts.GovernanceSafe} on chain ${record.chainId}, nonce ${nonce}`,
    );

    const first = await task(["safe-sign", "--proposal", proposal, "--signer", "1"]);
    expect(first.code, explain(first)).to.equal(0);
    expect(first.stdout).to.contain("1 of 2 signatures");
    const alone = await task(["safe-execute", "--proposal", proposal]);
    expect(alone.code, "one owner's signature executed").to.not.equal(0);
    expect(alone.stdout + alone.stderr).to.contain(
      "safe-execute failed: 1 of the 2 owner signatures the Safe requires",
    );
    expect(await safe.nonce()).to.equal(nonce);

    const second =
      "signer" in choice.secondOwner
        ? await task(["safe-sign", "--proposal", proposal, "--signer", String(choice.secondOwner.signer)])
        : await task(["safe-sign", "--proposal", proposal], { SAFE_OWNER_KEY: choice.secondOwner.key });
    expect(second.code, explain(second)).to.equal(0);
    expect(second.stdout).to.contain("2 of 2 signatures");

    const executed = await task(["safe-execute", "--proposal", proposal]);
    expect(executed.code, explain(executed)).to.equal(0);
    expect(await safe.nonce()).to.equal(nonce + 1n);
    expect(await breaker.cooldownSeconds()).to.equal(cooldown);

    const delay = await ProtocolTimelock__factory.connect(
      record.contracts.ProtocolTimelock,
      provider,
    ).getMinDelay();
    await provider.send("evm_increaseTime", [Number(delay) + 1]);
    await provider.send("evm_mine", []);
    const applied = await task(["timelock-execute", "--proposal", proposal]);
    expect(applied.code, explain(applied)).to.equal(0);
    expect(await breaker.cooldownSeconds()).to.equal(cooldown * 2n);
  } finally {
    provider.destroy();
  }
}
