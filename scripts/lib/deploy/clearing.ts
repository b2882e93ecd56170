import type { Signer } from "ethers";
import { ethers } from "hardhat";
import type { MarginCalculator, OptionsClearing, ProtocolAccessManager } from "../../../typechain-types";
import {
  LiquidationLogic__factory,
  OptionsClearing__factory,
  TradeLogic__factory,
} from "../../../typechain-types";
import { restrictFunctions } from "../governance";
import { Roles } from "../roles";

/** The clearing contract's functions only governance (the timelock) may call. */
export const CLEARING_GOVERNED_FUNCTIONS = [
  "configureUnderlying",
  "configureCollateral",
  "settleWithFallbackPrice",
];
/** The clearing contract's functions the lister may call. */
export const CLEARING_LISTER_FUNCTIONS = ["listSeries"];

export interface ClearingParams {
  breaker: string;
  oracle: string;
  /** The CollateralVault of the quote asset. */
  quoteVault: string;
  /** The InsuranceVault (first-loss capital; the clearing gets CLEARING_ROLE on it). */
  insurance: string;
  /** ERC-1155 metadata URI, with `{id}` substituted by clients. */
  uri: string;
}

export interface ClearingDeployment {
  clearing: OptionsClearing;
  calculator: MarginCalculator;
  marginLogic: string;
  liquidationLogic: string;
  settlementLogic: string;
  tradeLogic: string;
}

/** The clearing's function only the exchange (EXCHANGE_ROLE) may call: `deployExchange` maps it. */
export const CLEARING_EXCHANGE_FUNCTIONS = ["trade"];

/**
 * Deploy the MarginCalculator, the MarginLogic, LiquidationLogic, SettlementLogic and TradeLogic external libraries and OptionsClearing linked to
 * them; map the clearing's
 * governed and lister functions; grant the clearing CLEARING_ROLE (bad-debt cover and penalties of the insurance
 * vault). `admin` must be the manager's admin.
 */
export async function deployClearing(
  manager: ProtocolAccessManager,
  admin: Signer,
  params: ClearingParams,
): Promise<ClearingDeployment> {
  const calculator = await ethers.deployContract("MarginCalculator", [], admin);
  await calculator.waitForDeployment();
  const library = await ethers.deployContract("MarginLogic", [], admin);
  await library.waitForDeployment();
  const marginLogic = await library.getAddress();
  const liquidation = await new LiquidationLogic__factory(
    { "contracts/options/MarginLogic.sol:MarginLogic": marginLogic },
    admin,
  ).deploy();
  await liquidation.waitForDeployment();
  const liquidationLogic = await liquidation.getAddress();
  const settlement = await ethers.deployContract("SettlementLogic", [], admin);
  await settlement.waitForDeployment();
  const settlementLogic = await settlement.getAddress();
  const trade = await new TradeLogic__factory(
    { "contracts/options/MarginLogic.sol:MarginLogic": marginLogic },
    admin,
  ).deploy();
  await trade.waitForDeployment();
  const tradeLogic = await trade.getAddress();
  const factory = new OptionsClearing__factory(
    {
      "contracts/options/TradeLogic.sol:TradeLogic": tradeLogic,
      "contracts/options/MarginLogic.sol:MarginLogic": marginLogic,
      "contracts/options/LiquidationLogic.sol:LiquidationLogic": liquidationLogic,
      "contracts/options/SettlementLogic.sol:SettlementLogic": settlementLogic,
    },
    admin,
  );
  const clearing = await factory.deploy(
    await manager.getAddress(),
    params.breaker,
    params.oracle,
    await calculator.getAddress(),
    params.quoteVault,
    params.insurance,
    params.uri,
  );
  await clearing.waitForDeployment();
  await restrictFunctions(manager, admin, clearing, CLEARING_GOVERNED_FUNCTIONS, Roles.GOVERNOR_ROLE);
  await restrictFunctions(manager, admin, clearing, CLEARING_LISTER_FUNCTIONS, Roles.LISTER_ROLE);
  await (await manager.connect(admin).grantRole(Roles.CLEARING_ROLE, await clearing.getAddress(), 0)).wait();
  return { clearing, calculator, marginLogic, liquidationLogic, settlementLogic, tradeLogic };
}
