/**
 * Helpers shared by the protocol's Ignition modules: role wiring with the function lists of scripts/lib/deploy
 * (the single source of which role may call what), and a parameter recorder so that every value of the config
 * reaches the module as an Ignition parameter (shown by Ignition, stored in its journal, checked on resume).
 */
import type { Interface } from "ethers";
import type { IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import type {
  ArgumentType,
  CallableContractFuture,
  ContractCallFuture,
  Future,
  IgnitionModule,
  ModuleParameterRuntimeValue,
  SolidityParameterType,
  ModuleParameters,
} from "@nomicfoundation/ignition-core";
import { Roles, type RoleName } from "../../../scripts/lib/roles";

/** Ignition future ids allow letters, digits and underscores only. */
export const fid = (...parts: (string | number)[]): string => parts.join("_");

/** The name of a role id, for future ids and labels. */
export function roleName(role: bigint): RoleName {
  const entry = Object.entries(Roles).find(([, id]) => id === role);
  if (entry === undefined) throw new Error(`unknown role id ${role}`);
  return entry[0] as RoleName;
}

/** Selectors of `functionNames` in `iface`; fails loudly on a name the contract does not have. */
export function selectorsOf(
  iface: Interface,
  contractName: string,
  functionNames: readonly string[],
): string[] {
  return functionNames.map((name) => {
    const fragment = iface.getFunction(name);
    if (fragment === null) throw new Error(`${contractName} has no function ${name}`);
    return fragment.selector;
  });
}

/** Records the value of every parameter a module asks for, so the deploy script passes exactly those. */
export class ParameterRecorder {
  readonly parameters: Record<string, ModuleParameters> = {};

  /** A `param(key, value)` for module `moduleId`: records `value` and returns the module parameter. */
  forModule(
    moduleId: string,
    m: IgnitionModuleBuilder,
  ): <T extends SolidityParameterType>(key: string, value: T) => ModuleParameterRuntimeValue<T> {
    const bucket: ModuleParameters = (this.parameters[moduleId] ??= {});
    return <T extends SolidityParameterType>(key: string, value: T) => {
      if (key in bucket) throw new Error(`parameter ${moduleId}.${key} declared twice`);
      bucket[key] = value;
      return m.getParameter<T>(key);
    };
  }
}

/**
 * `manager.setTargetFunctionRole(target, selectors(functions), role)`, as `restrictFunctions` in
 * scripts/lib/governance.ts does it.
 */
export function restrict(
  m: IgnitionModuleBuilder,
  manager: CallableContractFuture<string>,
  target: ArgumentType,
  iface: Interface,
  contractName: string,
  idPrefix: string,
  functionNames: readonly string[],
  role: bigint,
  after: (Future | IgnitionModule)[] = [],
): ContractCallFuture<string, string> {
  return m.call(
    manager,
    "setTargetFunctionRole",
    [target, selectorsOf(iface, contractName, functionNames), role],
    { id: fid("restrict", idPrefix, roleName(role)), after },
  );
}
