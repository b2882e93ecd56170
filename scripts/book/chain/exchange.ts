/** The chain side of the service: the RPC provider, the exchange's typed binding and its EIP-712 domain. */
import { Network, Wallet, type JsonRpcProvider, type TypedDataDomain } from "ethers";
import { IOptionsExchange__factory } from "../../../typechain-types/factories/contracts/interfaces/IOptionsExchange__factory";
import type { IOptionsExchange } from "../../../typechain-types/contracts/interfaces/IOptionsExchange";
import { OptionsExchange__factory } from "../../../typechain-types/factories/contracts/exchange/OptionsExchange__factory";
import { OptionsClearing__factory } from "../../../typechain-types/factories/contracts/options/OptionsClearing__factory";
import type { OptionsClearing } from "../../../typechain-types/contracts/options/OptionsClearing";
import { exchangeDomain } from "../../../src/exchange/order";
import { bookDomain } from "../../lib/book/cancel";
import { rpcProvider } from "./rpc";

export interface Chain {
  provider: JsonRpcProvider;
  chainId: bigint;
  exchangeAddress: string;
  exchange: IOptionsExchange;
  /** The clearing the exchange trades through (accounts, operators, margin). */
  clearing: OptionsClearing;
  clearingAddress: string;
  /** The clearing's price oracle: its rounds change every account's margin. */
  oracleAddress: string;
  /** Decimals of the quote asset premiums are paid in. */
  quoteDecimals: number;
  /** The exchange's smallest fill (contracts, 18 decimals). */
  minLotContractsWad: bigint;
  orderDomain: TypedDataDomain;
  cancelDomain: TypedDataDomain;
  /** The matcher's wallet (EXECUTOR_ROLE), when a key is configured. */
  executor?: Wallet;
}

export async function connectChain(options: {
  rpcUrl: string;
  exchange: string;
  executorKey?: string;
  expectedChainId?: bigint;
  pollIntervalMs: number;
}): Promise<Chain> {
  const probe = rpcProvider(options.rpcUrl);
  let chainId: bigint;
  try {
    chainId = (await probe.getNetwork()).chainId;
  } finally {
    probe.destroy();
  }
  if (options.expectedChainId !== undefined && options.expectedChainId !== chainId)
    throw new Error(
      `the node at ${options.rpcUrl} is chain ${chainId}, the deployment record says ${options.expectedChainId}`,
    );
  const provider = rpcProvider(options.rpcUrl, Network.from(chainId));
  provider.pollingInterval = options.pollIntervalMs;
  if ((await provider.getCode(options.exchange)) === "0x")
    throw new Error(`no contract at the exchange address ${options.exchange} on chain ${chainId}`);
  const executor = options.executorKey === undefined ? undefined : new Wallet(options.executorKey, provider);
  const exchange = IOptionsExchange__factory.connect(options.exchange, executor ?? provider);
  const clearingAddress = await exchange.CLEARING();
  const clearing = OptionsClearing__factory.connect(clearingAddress, provider);
  const [oracleAddress, quoteDecimals, minLotContractsWad] = await Promise.all([
    clearing.ORACLE(),
    clearing.QUOTE_DECIMALS(),
    OptionsExchange__factory.connect(options.exchange, provider).MIN_LOT_CONTRACTS_WAD(),
  ]);
  return {
    provider,
    chainId,
    exchangeAddress: options.exchange,
    exchange,
    clearing,
    clearingAddress,
    oracleAddress,
    quoteDecimals: Number(quoteDecimals),
    minLotContractsWad,
    orderDomain: exchangeDomain(options.exchange, chainId),
    cancelDomain: bookDomain(options.exchange, chainId),
    executor,
  };
}
