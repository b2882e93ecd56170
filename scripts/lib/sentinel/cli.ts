/** The sentinel script's set-up from the environment: the record, the rules, the RPC and the guardian. */
import { existsSync, readFileSync } from "node:fs";
import type { HardhatRuntimeEnvironment, HttpNetworkConfig } from "hardhat/types";
import { Wallet, type Signer } from "ethers";
import { ProtocolAccessManager__factory } from "../../../typechain-types";
import type { DeploymentRecord } from "../deploy/suite";
import { Roles } from "../roles";
import { loadSentinelConfig, type SentinelConfig } from "./rules";
import type { SentinelContext } from "./engine";

/** A problem that stops the sentinel before its first pass (record, RPC, guardian). */
export class SentinelSetupError extends Error {
  override name = "SentinelSetupError";
}

export interface SentinelSetup {
  ctx: SentinelContext;
  config: SentinelConfig;
  once: boolean;
  dryRun: boolean;
}

const flag = (value: string | undefined): boolean => value !== undefined && value !== "" && value !== "0";

export async function setUpSentinel(
  hre: HardhatRuntimeEnvironment,
  env: NodeJS.ProcessEnv,
): Promise<SentinelSetup> {
  const { ethers, network } = hre;
  const recordPath = env.SENTINEL_RECORD || `deployments/${network.name}.json`;
  if (!existsSync(recordPath)) {
    throw new SentinelSetupError(
      `no deployment record at ${recordPath}: deploy first or set SENTINEL_RECORD`,
    );
  }
  let record: DeploymentRecord;
  try {
    record = JSON.parse(readFileSync(recordPath, "utf8")) as DeploymentRecord;
  } catch (error) {
    throw new SentinelSetupError(
      `cannot read the deployment record ${recordPath}: ${(error as Error).message}`,
    );
  }
  const config = loadSentinelConfig(env.SENTINEL_CONFIG || "config/sentinel.json", {
    assets: Object.keys(record.feeds),
    tokens: Object.keys(record.tokens),
  });
  const once = flag(env.SENTINEL_ONCE);
  const dryRun = flag(env.SENTINEL_DRY_RUN);

  const url = "url" in network.config ? (network.config as HttpNetworkConfig).url : "in-process";
  try {
    const chainId = Number(await ethers.provider.send("eth_chainId", []));
    if (chainId !== record.chainId) {
      throw new SentinelSetupError(
        `${recordPath} is a deployment on chain ${record.chainId}, the RPC is chain ${chainId}`,
      );
    }
  } catch (error) {
    if (error instanceof SentinelSetupError) throw error;
    throw new SentinelSetupError(
      `cannot reach the RPC of network '${network.name}' at ${url}: ${(error as Error).message}`,
    );
  }

  let guardian: Signer | undefined;
  const needsGuardian = !dryRun && config.rules.some((r) => r.action === "pause");
  if (env.SENTINEL_GUARDIAN_KEY) {
    guardian = new Wallet(env.SENTINEL_GUARDIAN_KEY, ethers.provider);
  } else {
    const signers = await ethers.getSigners();
    const chosen = env.SENTINEL_GUARDIAN;
    if (chosen !== undefined && chosen !== "") {
      guardian = /^\d+$/.test(chosen)
        ? signers[Number(chosen)]
        : signers.find((s) => s.address.toLowerCase() === chosen.toLowerCase());
      if (guardian === undefined)
        throw new SentinelSetupError(
          `SENTINEL_GUARDIAN ${chosen} is not an account of network '${network.name}'`,
        );
    } else if (needsGuardian) {
      const manager = ProtocolAccessManager__factory.connect(
        record.contracts.ProtocolAccessManager,
        ethers.provider,
      );
      for (const s of signers) {
        if ((await manager.hasRole(Roles.GUARDIAN_ROLE, s.address))[0]) {
          guardian = s;
          break;
        }
      }
    }
  }
  if (needsGuardian && guardian === undefined) {
    throw new SentinelSetupError(
      `no guardian among the accounts of network '${network.name}': set SENTINEL_GUARDIAN_KEY, or SENTINEL_DRY_RUN=1 to only alert`,
    );
  }
  return { ctx: { provider: ethers.provider, record, guardian }, config, once, dryRun };
}
