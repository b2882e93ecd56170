// Direct ethers deployers for the test fixtures and the bench; production deploys go through Ignition.
import type { Signer } from "ethers";
import type { OptionsClearing, OptionsExchange, ProtocolAccessManager } from "../../../typechain-types";
import { OptionsExchange__factory } from "../../../typechain-types";
import { FUNCTION_ROLES, MODULE_ROLES, Roles } from "../../../scripts/lib/roles";
import { restrictAll } from "./governance";

export interface ExchangeParams {
  /** The address `sweepFees` pays the exchange's fee account to (a treasury; the timelock by default). */
  feeRecipient: string;
  /** Quote units per 1e18 contracts, at most the exchange's MAX_FEE_PER_CONTRACT. */
  makerFeePerContract: bigint;
  takerFeePerContract: bigint;
  /** Addresses granted EXECUTOR_ROLE (the order book's matcher). */
  executors: string[];
}

/**
 * Deploy OptionsExchange on `clearing`, map its restricted functions (FUNCTION_ROLES), grant it EXCHANGE_ROLE (the
 * clearing's `trade`, mapped by `deployClearing`) and the executors their role. `admin` must be the manager's admin.
 */
export async function deployExchange(
  manager: ProtocolAccessManager,
  admin: Signer,
  clearing: OptionsClearing,
  params: ExchangeParams,
): Promise<OptionsExchange> {
  const exchange = await new OptionsExchange__factory(admin).deploy(
    await manager.getAddress(),
    await clearing.getAddress(),
    {
      makerFeePerContract: params.makerFeePerContract,
      takerFeePerContract: params.takerFeePerContract,
      recipient: params.feeRecipient,
    },
  );
  await exchange.waitForDeployment();
  await restrictAll(manager, admin, exchange, FUNCTION_ROLES.OptionsExchange);
  const m = manager.connect(admin);
  await (await m.grantRole(MODULE_ROLES.OptionsExchange, await exchange.getAddress(), 0)).wait();
  for (const executor of params.executors) await (await m.grantRole(Roles.EXECUTOR_ROLE, executor, 0)).wait();
  return exchange;
}
