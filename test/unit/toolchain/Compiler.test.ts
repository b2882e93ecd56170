import { expect } from "chai";
import hre from "hardhat";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";

describe("unit/toolchain/offline compiler override", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pinned = (require("solc/package.json") as { version: string }).version;

  it("serves the pinned version from the npm solc package, never a download", async () => {
    const build = (await hre.run(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, {
      quiet: true,
      solcVersion: pinned,
    })) as {
      compilerPath: string;
      isSolcJs: boolean;
      longVersion: string;
    };
    expect(build.isSolcJs).to.equal(true);
    expect(build.compilerPath).to.equal(require.resolve("solc/soljson.js"));
    expect(build.longVersion.startsWith(pinned)).to.equal(true);
  });

  it("fails loudly, naming the pinned version, when another version is asked for", async () => {
    await expect(
      hre.run(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, { quiet: true, solcVersion: "0.8.20" }),
    ).to.be.rejectedWith(new RegExp(`0\\.8\\.20 was requested.*solc@${pinned.replace(/\./g, "\\.")}`));
  });
});
