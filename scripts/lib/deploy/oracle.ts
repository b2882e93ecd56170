import type { Signer } from "ethers";
import { ethers } from "hardhat";
import type { CircuitBreaker, OracleAggregator, ProtocolAccessManager } from "../../../typechain-types";
import { restrictFunctions } from "../governance";
import { Roles } from "../roles";

/** The aggregator's functions only governance (the timelock) may call. */
export const ORACLE_GOVERNED_FUNCTIONS = ["setAssetConfig", "setSequencerUptimeFeed"];

/**
 * Deploy the OracleAggregator under `manager`, reporting to `breaker`: map its governed functions to GOVERNOR_ROLE
 * and grant it ORACLE_ROLE so its price-band, quorum and sequencer reports can trip the breaker. `admin` must be
 * the manager's admin (the deployer, before `handOverToTimelock`).
 */
export async function deployOracle(
  manager: ProtocolAccessManager,
  admin: Signer,
  breaker: CircuitBreaker,
): Promise<OracleAggregator> {
  const aggregator = await ethers.deployContract(
    "OracleAggregator",
    [await manager.getAddress(), await breaker.getAddress()],
    admin,
  );
  await aggregator.waitForDeployment();
  await restrictFunctions(manager, admin, aggregator, ORACLE_GOVERNED_FUNCTIONS, Roles.GOVERNOR_ROLE);
  await (await manager.connect(admin).grantRole(Roles.ORACLE_ROLE, await aggregator.getAddress(), 0)).wait();
  return aggregator;
}
