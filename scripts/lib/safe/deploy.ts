/**
 * Deploying Safe v1.4.1 from its shipped bytecode with ethers v6 (the typed factories of typechain-types/safe): the
 * SafeL2 singleton, the SafeProxyFactory and the CompatibilityFallbackHandler, and Safes as proxies of the singleton.
 * Tests and local tools use it; the production deployment creates the same contracts through Ignition
 * (ignition/modules/protocol/safe.ts).
 */
import { getAddress, ZeroAddress, type Signer } from "ethers";
import {
  CompatibilityFallbackHandler__factory,
  SafeL2__factory,
  SafeProxyFactory__factory,
  type CompatibilityFallbackHandler,
  type SafeL2,
  type SafeProxyFactory,
} from "../../../typechain-types/safe";

export interface SafeInfrastructure {
  singleton: SafeL2;
  factory: SafeProxyFactory;
  fallbackHandler: CompatibilityFallbackHandler;
}

export async function deploySafeInfrastructure(deployer: Signer): Promise<SafeInfrastructure> {
  const singleton = await new SafeL2__factory(deployer).deploy();
  const factory = await new SafeProxyFactory__factory(deployer).deploy();
  const fallbackHandler = await new CompatibilityFallbackHandler__factory(deployer).deploy();
  await Promise.all([singleton, factory, fallbackHandler].map((c) => c.waitForDeployment()));
  return { singleton, factory, fallbackHandler };
}

/** The initializer of a Safe proxy: `setup(owners, threshold)` with the fallback handler, no module, no payment. */
export function safeSetupData(owners: readonly string[], threshold: bigint, fallbackHandler: string): string {
  return SafeL2__factory.createInterface().encodeFunctionData("setup", [
    owners.map((o) => getAddress(o)),
    threshold,
    ZeroAddress,
    "0x",
    fallbackHandler,
    ZeroAddress,
    0n,
    ZeroAddress,
  ]);
}

/** Create a Safe of `owners` and `threshold` as a proxy of the singleton; bound to `deployer`. */
export async function createSafe(
  infra: SafeInfrastructure,
  deployer: Signer,
  owners: readonly string[],
  threshold: bigint,
  saltNonce = 0n,
): Promise<SafeL2> {
  const initializer = safeSetupData(owners, threshold, await infra.fallbackHandler.getAddress());
  const factory = infra.factory.connect(deployer);
  const receipt = await (
    await factory.createProxyWithNonce(await infra.singleton.getAddress(), initializer, saltNonce)
  ).wait();
  const event = receipt?.logs
    .map((log) => (log.address === (factory.target as string) ? factory.interface.parseLog(log) : null))
    .find((parsed) => parsed?.name === "ProxyCreation");
  if (event === undefined || event === null)
    throw new Error("the SafeProxyFactory emitted no ProxyCreation event");
  return SafeL2__factory.connect(event.args.proxy as string, deployer);
}
