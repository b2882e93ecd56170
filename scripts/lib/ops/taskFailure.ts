/**
 * A task's failure a person can act on. Hardhat prints its message on one line; this error prints nothing more,
 * even where Hardhat shows stack traces by default (CI, or Linux without a display server). The underlying error
 * is shown with `--show-stack-traces`.
 */
import { inspect } from "node:util";
import { HardhatPluginError } from "hardhat/plugins";

export function taskFailure(message: string, underlying?: unknown): HardhatPluginError {
  const error = new HardhatPluginError("optiq", message.replace(/\s*\n\s*/g, " "));
  // An own property: HardhatPluginError resets the prototype of subclasses, and its `stack` reads this.
  Object.defineProperty(error, inspect.custom, {
    value: (): string =>
      process.argv.includes("--show-stack-traces") && underlying !== undefined ? inspect(underlying) : "",
  });
  return error;
}
