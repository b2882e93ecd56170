/**
 * The governance Safe (config `governance.safe`): either created here, as a proxy of a SafeL2 v1.4.1 singleton set
 * up with the config's owners and threshold and the CompatibilityFallbackHandler, all deployed from the bytecode the
 * npm package `@safe-global/safe-contracts` ships (scripts/lib/safe/artifacts.ts); or an existing Safe, bound by its
 * address. The Governance module makes it the timelock's proposer and canceller.
 */
import { ZeroAddress } from "ethers";
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Artifact } from "@nomicfoundation/ignition-core";
import type { SafeSpec } from "../../../scripts/lib/config/governance";
import { safeArtifact, type SafeContractName } from "../../../scripts/lib/safe/artifacts";
import type { ParameterRecorder } from "./shared";

export const SAFE_MODULE_ID = "GovernanceSafe";
/** The salt nonce of the governance Safe's proxy (one Safe per deployment). */
export const GOVERNANCE_SAFE_SALT_NONCE = 0n;

const artifact = (name: SafeContractName): Artifact => {
  const a = safeArtifact(name);
  return {
    contractName: a.contractName,
    sourceName: a.sourceName,
    abi: [...a.abi],
    bytecode: a.bytecode,
    linkReferences: a.linkReferences,
  };
};

export function buildSafeModule(spec: SafeSpec, recorder: ParameterRecorder) {
  return spec.kind === "existing"
    ? existingSafeModule(spec.address, recorder)
    : createdSafeModule(spec, recorder);
}

function existingSafeModule(address: string, recorder: ParameterRecorder) {
  return buildModule(SAFE_MODULE_ID, (m) => {
    const param = recorder.forModule(SAFE_MODULE_ID, m);
    return {
      governanceSafe: m.contractAt("SafeL2", artifact("SafeL2"), param("address", address), { id: "Safe" }),
    };
  });
}

function createdSafeModule(spec: { owners: string[]; threshold: number }, recorder: ParameterRecorder) {
  return buildModule(SAFE_MODULE_ID, (m) => {
    const param = recorder.forModule(SAFE_MODULE_ID, m);
    const safeL2 = artifact("SafeL2");
    const safeSingleton = m.contract("SafeL2", safeL2, [], { id: "SafeL2Singleton" });
    const safeProxyFactory = m.contract("SafeProxyFactory", artifact("SafeProxyFactory"), []);
    const safeFallbackHandler = m.contract(
      "CompatibilityFallbackHandler",
      artifact("CompatibilityFallbackHandler"),
      [],
    );
    const setup = m.encodeFunctionCall(
      safeSingleton,
      "setup",
      [
        param("owners", spec.owners),
        param("threshold", BigInt(spec.threshold)),
        ZeroAddress,
        "0x",
        safeFallbackHandler,
        ZeroAddress,
        0n,
        ZeroAddress,
      ],
      { id: "SafeSetup" },
    );
    const creation = m.call(safeProxyFactory, "createProxyWithNonce", [
      safeSingleton,
      setup,
      GOVERNANCE_SAFE_SALT_NONCE,
    ]);
    const proxy = m.readEventArgument(creation, "ProxyCreation", "proxy");
    const governanceSafe = m.contractAt("SafeL2", safeL2, proxy, { id: "Safe" });
    return { governanceSafe, safeSingleton, safeProxyFactory, safeFallbackHandler };
  });
}
