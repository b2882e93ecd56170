// Direct ethers deployers for the test fixtures and the bench; production deploys go through Ignition.
import type { Signer } from "ethers";
import { ethers } from "hardhat";
import type { MarginCalculator, OptionsClearing, ProtocolAccessManager } from "../../../typechain-types";
import {
  LiquidationLogic__factory,
  OptionsClearing__factory,
  TradeLogic__factory,
} from "../../../typechain-types";
import { FUNCTION_ROLES, MODULE_ROLES } from "../../../scripts/lib/roles";
import { restrictAll } from "./governance";

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

/**
 * Deploy the MarginCalculator, the MarginLogic, LiquidationLogic, SettlementLogic and TradeLogic external libraries
 * and OptionsClearing linked to them; map the clearing's restricted functions (FUNCTION_ROLES: governed, lister,
 * and `trade` to EXCHANGE_ROLE, which `deployExchange` grants to the exchange); grant the clearing CLEARING_ROLE
 * (bad-debt cover and penalties of the insurance vault). `admin` must be the manager's admin.
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
  const trade = await new TradeLogic__factory(admin).deploy();
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
  await restrictAll(manager, admin, clearing, FUNCTION_ROLES.OptionsClearing);
  const held = MODULE_ROLES.OptionsClearing;
  await (await manager.connect(admin).grantRole(held, await clearing.getAddress(), 0)).wait();
  return { clearing, calculator, marginLogic, liquidationLogic, settlementLogic, tradeLogic };
}
