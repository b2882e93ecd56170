import type { Signer } from "ethers";
import type { OptionsClearing, OptionsExchange, ProtocolAccessManager } from "../../../typechain-types";
import { OptionsExchange__factory } from "../../../typechain-types";
import { restrictFunctions } from "../governance";
import { Roles } from "../roles";
import { CLEARING_EXCHANGE_FUNCTIONS } from "./clearing";

/** The exchange's functions only governance (the timelock) may call. */
export const EXCHANGE_GOVERNED_FUNCTIONS = ["setFeeSchedule"];
/** The exchange's functions only the matcher (EXECUTOR_ROLE) may call. */
export const EXCHANGE_EXECUTOR_FUNCTIONS = ["matchOrders"];

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
 * Deploy OptionsExchange on `clearing`, map its governed and executor functions, grant it EXCHANGE_ROLE and map the
 * clearing's `trade` to that role, and grant the executors their role. `admin` must be the manager's admin.
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
  await restrictFunctions(manager, admin, exchange, EXCHANGE_GOVERNED_FUNCTIONS, Roles.GOVERNOR_ROLE);
  await restrictFunctions(manager, admin, exchange, EXCHANGE_EXECUTOR_FUNCTIONS, Roles.EXECUTOR_ROLE);
  await restrictFunctions(manager, admin, clearing, CLEARING_EXCHANGE_FUNCTIONS, Roles.EXCHANGE_ROLE);
  const m = manager.connect(admin);
  await (await m.grantRole(Roles.EXCHANGE_ROLE, await exchange.getAddress(), 0)).wait();
  for (const executor of params.executors) await (await m.grantRole(Roles.EXECUTOR_ROLE, executor, 0)).wait();
  return exchange;
}
