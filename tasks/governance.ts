/**
 * Hardhat tasks for governance through the Safe (docs/governance.md): `safe-propose` writes a proposal file (a Safe
 * transaction scheduling a timelock operation, with its EIP-712 safeTxHash, Safe nonce, chain id and Safe address),
 * `safe-sign` adds an owner's signature to it, `safe-execute` submits `execTransaction` once the threshold is met,
 * `timelock-execute` executes the scheduled operation after the timelock delay (`execute-resume` does the same for a
 * resume). Like tasks/operator.ts, they import the scripts only inside their actions.
 */
import { task, types } from "hardhat/config";
import { operator, protocolOf } from "./operator";

const RECORD_HELP = "the deployment record (default: deployments/<network>.json)";
const PROPOSAL_HELP = "the proposal file (JSON) written by safe-propose or queue-resume";

task(
  "safe-propose",
  "Propose a timelock operation as a Safe transaction: a resume (--scope) or a call (--target --call)",
)
  .addOptionalParam("scope", "resume this tripped scope (as for `pause`)")
  .addOptionalParam("target", "the contract to call: a record name (CircuitBreaker) or an address")
  .addOptionalParam("call", 'the function, e.g. "setCooldown(uint64)"')
  .addOptionalParam("args", "the call's arguments as a JSON list, e.g. '[7200]'", "[]")
  .addOptionalParam("nonce", "the Safe nonce (default: the Safe's current nonce)", undefined, types.string)
  .addOptionalParam("out", "where to write the proposal (default: proposals/<network>/nonce-<n>-<hash>.json)")
  .addOptionalParam("record", RECORD_HELP)
  .setAction(
    async (
      args: {
        scope?: string;
        target?: string;
        call?: string;
        args: string;
        nonce?: string;
        out?: string;
        record?: string;
      },
      hre,
    ) =>
      operator("safe-propose", async () => {
        const { OperatorError } = await import("../scripts/lib/operator/errors");
        const { requireProposerSafe, encodeGovernedCall, proposeTimelockCall } =
          await import("../scripts/lib/ops/safeGovernance");
        const { proposeResume } = await import("../scripts/lib/ops/pauseResume");
        const { parseScope } = await import("../scripts/lib/ops/scopeNames");
        const p = await protocolOf(hre, args.record);
        const safe = await requireProposerSafe(p);
        let proposal;
        if (args.scope !== undefined) {
          if (args.target !== undefined || args.call !== undefined)
            throw new OperatorError("give either --scope (a resume) or --target and --call, not both");
          proposal = await proposeResume(p, safe, parseScope(args.scope, p.record));
        } else {
          if (args.target === undefined || args.call === undefined)
            throw new OperatorError(
              "give --scope (a resume) or both --target and --call (a parameter change)",
            );
          let callArgs: unknown;
          try {
            callArgs = JSON.parse(args.args);
          } catch {
            throw new OperatorError(`--args must be a JSON list, got '${args.args}'`);
          }
          if (!Array.isArray(callArgs))
            throw new OperatorError(`--args must be a JSON list, got '${args.args}'`);
          if (args.nonce !== undefined && !/^\d+$/.test(args.nonce))
            throw new OperatorError(`--nonce must be a non-negative integer, got '${args.nonce}'`);
          proposal = await proposeTimelockCall(
            p,
            safe,
            encodeGovernedCall(p, args.target, args.call, callArgs),
            args.nonce === undefined ? undefined : BigInt(args.nonce),
          );
        }
        return writeNewProposal(hre.network.name, proposal, args.out);
      }),
  );

/** Write a fresh proposal and tell the operator the next steps. */
async function writeNewProposal(
  network: string,
  proposal: import("../scripts/lib/safe/proposal").SafeProposal,
  out?: string,
) {
  const { defaultProposalPath, writeProposal } = await import("../scripts/lib/safe/proposal");
  const path = out ?? defaultProposalPath(network, proposal);
  writeProposal(path, proposal);
  console.log(
    [
      `proposal ${path}: ${proposal.description}`,
      `  Safe ${proposal.safe} on chain ${proposal.chainId}, nonce ${proposal.tx.nonce}`,
      `  safeTxHash ${proposal.safeTxHash}`,
      `  schedules timelock operation ${proposal.timelockCall.operationId} (delay ${proposal.timelockCall.delaySeconds} s)`,
      `next: each owner runs npx hardhat safe-sign --proposal ${path} --signer <account index> --network ${network}`,
      `      then npx hardhat safe-execute --proposal ${path} --network ${network}`,
    ].join("\n"),
  );
  return { path, proposal };
}

task(
  "safe-sign",
  "Add an owner's EIP-712 signature to a proposal (from an account, a key, or a given signature)",
)
  .addParam("proposal", PROPOSAL_HELP)
  .addOptionalParam(
    "signer",
    "index of the owner's account among the network's accounts",
    undefined,
    types.int,
  )
  .addOptionalParam("key", "the owner's private key (prefer the SAFE_OWNER_KEY environment variable)")
  .addOptionalParam("signature", "an owner's signature made elsewhere (65 bytes hex), with --owner")
  .addOptionalParam("owner", "the owner who made --signature")
  .addOptionalParam("record", RECORD_HELP)
  .setAction(
    async (
      args: {
        proposal: string;
        signer?: number;
        key?: string;
        signature?: string;
        owner?: string;
        record?: string;
      },
      hre,
    ) =>
      operator("safe-sign", async () => {
        const { OperatorError } = await import("../scripts/lib/operator/errors");
        const { operatorSigner } = await import("../scripts/lib/operator/signers");
        const { readProposal, writeProposal } = await import("../scripts/lib/safe/proposal");
        const { addSignature, requireProposerSafe, signProposal, signatureStatus } =
          await import("../scripts/lib/ops/safeGovernance");
        const proposal = readOrFail(readProposal, args.proposal, OperatorError);
        const p = await protocolOf(hre, args.record);
        const safe = await requireProposerSafe(p);
        const key = args.key ?? process.env.SAFE_OWNER_KEY;
        const sources = [args.signer !== undefined, key !== undefined, args.signature !== undefined];
        if (sources.filter(Boolean).length !== 1)
          throw new OperatorError("give exactly one of --signer, --key (or SAFE_OWNER_KEY) and --signature");
        let result;
        if (args.signature !== undefined) {
          if (args.owner === undefined)
            throw new OperatorError("--signature needs --owner, the owner who made it");
          result = await addSignature(safe, proposal, { signer: args.owner, data: args.signature });
        } else {
          result = await signProposal(safe, proposal, await operatorSigner(hre, args.signer ?? 0, key));
        }
        writeProposal(args.proposal, result.proposal);
        const status = await signatureStatus(safe, result.proposal);
        console.log(
          `${result.added ? "added the signature of" : "already signed by"} ${result.owner}: ` +
            `${status.owners.length} of ${status.threshold} signatures (${args.proposal})` +
            (BigInt(status.owners.length) >= status.threshold
              ? `; ready: npx hardhat safe-execute --proposal ${args.proposal} --network ${hre.network.name}`
              : ""),
        );
        return { ...result, signed: status.owners.length, threshold: status.threshold };
      }),
  );

task("safe-execute", "Submit the Safe transaction of a proposal once its signatures meet the threshold")
  .addParam("proposal", PROPOSAL_HELP)
  .addOptionalParam("signer", "index of the account that sends the transaction (any account)", 0, types.int)
  .addOptionalParam("record", RECORD_HELP)
  .setAction(async (args: { proposal: string; signer: number; record?: string }, hre) =>
    operator("safe-execute", async () => {
      const { OperatorError } = await import("../scripts/lib/operator/errors");
      const { operatorSigner } = await import("../scripts/lib/operator/signers");
      const { readProposal } = await import("../scripts/lib/safe/proposal");
      const { executeProposal, requireProposerSafe } = await import("../scripts/lib/ops/safeGovernance");
      const proposal = readOrFail(readProposal, args.proposal, OperatorError);
      const p = await protocolOf(hre, args.record);
      const safe = await requireProposerSafe(p);
      const result = await executeProposal(p, safe, proposal, await operatorSigner(hre, args.signer));
      console.log(
        `executed Safe nonce ${proposal.tx.nonce} (tx ${result.txHash}): scheduled timelock operation ${result.operationId}, ` +
          `executable from ${new Date(Number(result.readyAt) * 1000).toISOString()} with: ` +
          `npx hardhat timelock-execute --proposal ${args.proposal} --network ${hre.network.name}`,
      );
      return result;
    }),
  );

task("timelock-execute", "Execute the timelock operation a proposal scheduled, once the delay has passed")
  .addParam("proposal", PROPOSAL_HELP)
  .addOptionalParam(
    "signer",
    "index of the executing account (anyone when the executor role is open)",
    0,
    types.int,
  )
  .addOptionalParam("record", RECORD_HELP)
  .setAction(async (args: { proposal: string; signer: number; record?: string }, hre) =>
    operator("timelock-execute", async () => {
      const { OperatorError } = await import("../scripts/lib/operator/errors");
      const { operatorSigner } = await import("../scripts/lib/operator/signers");
      const { readProposal } = await import("../scripts/lib/safe/proposal");
      const { executeTimelockCall } = await import("../scripts/lib/ops/safeGovernance");
      const proposal = readOrFail(readProposal, args.proposal, OperatorError);
      const p = await protocolOf(hre, args.record);
      const result = await executeTimelockCall(p, proposal, await operatorSigner(hre, args.signer));
      console.log(
        `executed timelock operation ${proposal.timelockCall.operationId}: ${proposal.description} (tx ${result.txHash})`,
      );
      return result;
    }),
  );

/** Read a proposal; a bad file becomes an operator error (a one-line task failure). */
function readOrFail<T>(read: (path: string) => T, path: string, As: new (message: string) => Error): T {
  try {
    return read(path);
  } catch (error) {
    throw new As((error as Error).message);
  }
}
