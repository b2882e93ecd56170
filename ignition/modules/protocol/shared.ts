/**
 * Helpers shared by the protocol's Ignition modules: role wiring from the role tables of scripts/lib/roles.ts (the
 * single source of which role may call what), and a parameter recorder so that every value of the config reaches
 * the module as an Ignition parameter (shown by Ignition, stored in its journal, checked on resume).
 */
import type { Interface } from "ethers";
import type { IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";
import type {
  ArgumentType,
  CallableContractFuture,
  ContractCallFuture,
  ModuleParameterRuntimeValue,
  SolidityParameterType,
  ModuleParameters,
} from "@nomicfoundation/ignition-core";
import { roleName, selectorsOf, type FunctionRole } from "../../../scripts/lib/roles";

/** Ignition future ids allow letters, digits and underscores only. */
export const fid = (...parts: (string | number)[]): string => parts.join("_");

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
 * One `manager.setTargetFunctionRole(target, selectors, role)` per group of `table` (scripts/lib/roles.ts), in the
 * table's order; the future ids name the target and the role.
 */
export function restrictFunctions(
  m: IgnitionModuleBuilder,
  manager: CallableContractFuture<string>,
  target: ArgumentType,
  iface: Interface,
  contractName: string,
  idPrefix: string,
  table: readonly FunctionRole[],
): ContractCallFuture<string, string>[] {
  return table.map(({ functions, role }) =>
    m.call(manager, "setTargetFunctionRole", [target, selectorsOf(iface, contractName, functions), role], {
      id: fid("restrict", idPrefix, roleName(role)),
    }),
  );
}
