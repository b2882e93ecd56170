/**
 * The main job (`npm start`): deploys what exists of the protocol on the in-process Hardhat network and
 * prints it. Grows into the full narrated lifecycle as the modules land (issue 10).
 */
import { ethers, network } from "hardhat";
import { deployGovernance, handOverToTimelock } from "./lib/governance";
import { Roles } from "./lib/roles";

async function main(): Promise<void> {
  const [deployer, proposer, guardian] = await ethers.getSigners();
  console.log(`network: ${network.name} (chain id ${(await ethers.provider.getNetwork()).chainId})`);
  console.log(`deployer: ${deployer.address}`);

  const gov = await deployGovernance(deployer, {
    timelockDelaySeconds: 2n * 24n * 3600n,
    proposers: [proposer.address],
    executors: [],
    guardians: [guardian.address],
  });
  await handOverToTimelock(gov, deployer);

  const timelock = await gov.timelock.getAddress();
  console.log(`ProtocolAccessManager: ${await gov.manager.getAddress()}`);
  console.log(`ProtocolTimelock:      ${timelock} (delay ${await gov.timelock.getMinDelay()} s)`);
  console.log(`  timelock is admin:    ${(await gov.manager.hasRole(Roles.ADMIN_ROLE, timelock))[0]}`);
  console.log(`  guardian ${guardian.address} holds GUARDIAN_ROLE`);
  console.log("summary: governance deployed; the deployer holds no role.");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
