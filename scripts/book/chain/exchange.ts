/** The chain side of the service: the RPC provider, the exchange's typed binding and its EIP-712 domain. */
import { JsonRpcProvider, Network, Wallet, type TypedDataDomain } from "ethers";
import { IOptionsExchange__factory } from "../../../typechain-types/factories/contracts/interfaces/IOptionsExchange__factory";
import type { IOptionsExchange } from "../../../typechain-types/contracts/interfaces/IOptionsExchange";
import { exchangeDomain } from "../../../src/exchange/order";
import { bookDomain } from "../../lib/book/cancel";

export interface Chain {
  provider: JsonRpcProvider;
  chainId: bigint;
  exchangeAddress: string;
  exchange: IOptionsExchange;
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
  const probe = new JsonRpcProvider(options.rpcUrl);
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
  const provider = new JsonRpcProvider(options.rpcUrl, Network.from(chainId), { staticNetwork: true });
  provider.pollingInterval = options.pollIntervalMs;
  if ((await provider.getCode(options.exchange)) === "0x")
    throw new Error(`no contract at the exchange address ${options.exchange} on chain ${chainId}`);
  const executor = options.executorKey === undefined ? undefined : new Wallet(options.executorKey, provider);
  return {
    provider,
    chainId,
    exchangeAddress: options.exchange,
    exchange: IOptionsExchange__factory.connect(options.exchange, executor ?? provider),
    orderDomain: exchangeDomain(options.exchange, chainId),
    cancelDomain: bookDomain(options.exchange, chainId),
    executor,
  };
}
