/**
 * The registry of the invariant campaign's handlers, one file per module. The order of this list is part of a seed:
 * fast-check picks a command by its index, so a new module's handlers go at the end (earlier seeds then replay the
 * same runs as long as the new handlers are not drawn).
 */
import * as breaker from "./breaker";
import * as collateral from "./collateral";
import * as exchange from "./exchange";
import * as liquidation from "./liquidation";
import * as longs from "./longs";
import * as oracle from "./oracle";
import * as positions from "./positions";
import * as settlement from "./settlement";
import type { Handler } from "./handler";

export const HANDLERS: readonly Handler[] = [
  positions.write,
  collateral.deposit,
  collateral.withdraw,
  positions.close,
  longs.depositLongs,
  longs.withdrawLongs,
  longs.transfer,
  oracle.spot,
  oracle.timePasses,
  settlement.settle,
  settlement.settleAccount,
  settlement.exercise,
  breaker.pause,
  breaker.resume,
  positions.operator,
  oracle.gap,
  oracle.oracleFailure,
  liquidation.liquidate,
  exchange.fill,
  exchange.matchOrders,
  exchange.cancel,
  exchange.setMinNonce,
  exchange.pauseTrade,
];
