/**
 * Which anvil the devnet and the end-to-end tests start (scripts/lib/node/localNode.ts `anvilCommand`): the npm
 * platform package's binary where it is installed, else an executable `anvil` on PATH (Foundry off Linux), else an
 * error that says where to get one.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { expect } from "chai";
import { ANVIL_BIN, anvilCommand } from "../../../scripts/lib/node/localNode";

describe("unit/node/anvilCommand (which anvil a devnet starts)", () => {
  let work: string;
  let missing: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), "optiq-anvil-"));
    missing = join(work, "no-package", "anvil");
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  /** A folder holding a file `anvil`, executable or not. */
  function folderWithAnvil(name: string, executable: boolean): string {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "anvil"), "#!/bin/sh\n");
    chmodSync(join(dir, "anvil"), executable ? 0o755 : 0o644);
    return dir;
  }

  it("takes the npm package's binary where it is installed, before any anvil on PATH", () => {
    const onPath = folderWithAnvil("first", true);
    expect(anvilCommand(ANVIL_BIN, onPath)).to.equal(ANVIL_BIN);
  });

  it("without the package, takes the first executable anvil on PATH, skipping a file that is not executable", () => {
    const notExecutable = folderWithAnvil("plain", false);
    const foundry = folderWithAnvil("foundry", true);
    const path = [join(work, "empty"), notExecutable, foundry].join(delimiter);
    expect(anvilCommand(missing, path)).to.equal(join(foundry, "anvil"));
  });

  it("with neither, fails naming the package, the platform and Foundry", () => {
    const path = folderWithAnvil("only-plain", false);
    expect(() => anvilCommand(missing, path)).to.throw(
      `anvil not found: the npm package @foundry-rs/anvil-linux-amd64 ships it for Linux x64 only (no ${missing}), ` +
        "and no anvil is on PATH; install Foundry (https://getfoundry.sh) or use npx hardhat node",
    );
  });
});
