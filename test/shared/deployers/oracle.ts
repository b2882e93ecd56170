// Direct ethers deployers for the test fixtures and the bench; production deploys go through Ignition.
import type { Signer } from "ethers";
import { ethers } from "hardhat";
import type { CircuitBreaker, OracleAggregator, ProtocolAccessManager } from "../../../typechain-types";
import { FUNCTION_ROLES, MODULE_ROLES } from "../../../scripts/lib/roles";
import { restrictAll } from "./governance";

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
  await restrictAll(manager, admin, aggregator, FUNCTION_ROLES.OracleAggregator);
  const held = MODULE_ROLES.OracleAggregator;
  await (await manager.connect(admin).grantRole(held, await aggregator.getAddress(), 0)).wait();
  return aggregator;
}
