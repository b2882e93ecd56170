/** A failure an operator can act on (no record, wrong chain, unreachable RPC, no suitable signer, ...). */
export class OperatorError extends Error {
  override name = "OperatorError";
}
