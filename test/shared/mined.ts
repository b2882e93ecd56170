/**
 * A sent transaction's receipt, polled directly. ethers' `wait()` on a plain JsonRpcProvider hears of the block that
 * mined a transaction through its block poller, which starts at the block it first sees: on an automining node that
 * answers before it mines (anvil), a transaction mined between the first receipt check and that first poll is never
 * heard of, and no later block comes to wake it.
 */
import type { ContractTransactionResponse, TransactionReceipt, TransactionResponse } from "ethers";

const POLL_MS = 50;

/** Wait for `sent` to be mined (at most `timeoutMs`); fails naming the hash if it reverted or never was. */
export async function mined(
  sent: Promise<ContractTransactionResponse | TransactionResponse> | TransactionResponse,
  timeoutMs = 120_000,
): Promise<TransactionReceipt> {
  const tx = await sent;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const receipt = await tx.provider.getTransactionReceipt(tx.hash);
    if (receipt !== null) {
      if (receipt.status !== 1)
        throw new Error(`transaction ${tx.hash} reverted (block ${receipt.blockNumber})`);
      return receipt;
    }
    if (Date.now() > deadline) throw new Error(`transaction ${tx.hash} was not mined within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
