import { ethers } from "ethers";

/** Breaker scope ids, mirroring contracts/libraries/Scopes.sol. */
export const Scopes = {
  DEPOSIT: ethers.id("optiq.scope.deposit"),
  WITHDRAW: ethers.id("optiq.scope.withdraw"),
  WRITE: ethers.id("optiq.scope.write"),
  LIQUIDATE: ethers.id("optiq.scope.liquidate"),
  SETTLE: ethers.id("optiq.scope.settle"),
  TRADE: ethers.id("optiq.scope.trade"),
  GLOBAL: ethers.id("optiq.scope.global"),
  asset: (asset: string): string => ethers.zeroPadValue(ethers.getAddress(asset), 32),
} as const;
