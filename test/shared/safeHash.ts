/**
 * The Safe's own hash of a transaction (`getTransactionHash` of the deployed Safe v1.4.1): the reference the tests
 * hold the TypeScript `safeTxHash` of scripts/lib/safe/ to.
 */
import type { SafeL2 } from "../../typechain-types/safe";
import type { SafeTx } from "../../scripts/lib/safe/transaction";

export function onChainSafeTxHash(safe: SafeL2, tx: SafeTx): Promise<string> {
  return safe.getTransactionHash(
    tx.to,
    tx.value,
    tx.data,
    tx.operation,
    tx.safeTxGas,
    tx.baseGas,
    tx.gasPrice,
    tx.gasToken,
    tx.refundReceiver,
    tx.nonce,
  );
}
