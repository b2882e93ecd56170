/**
 * Governance through the 2-of-3 Safe of config/local.json, by the tasks of tasks/governance.ts on the in-process
 * network: the Safe is the timelock's only proposer and canceller; `safe-propose` writes the proposal, `safe-sign`
 * adds owners' signatures (refusing any made for another nonce, chain or Safe), `safe-execute` schedules once two
 * owners signed, `timelock-execute` applies the change after the delay.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { HardhatPluginError } from "hardhat/plugins";
import { CircuitBreaker__factory, ProtocolTimelock__factory } from "../../../typechain-types";
import { SafeL2__factory } from "../../../typechain-types/safe";
import { proposalJson, readProposal, type SafeProposal } from "../../../scripts/lib/safe/proposal";
import { signSafeTx } from "../../../scripts/lib/safe/signatures";
import { safeTxHash } from "../../../scripts/lib/safe/transaction";
import { SIGNER, deployedLocal } from "../../shared/fixtures/deployed";
import { runTask as run } from "../../shared/runTask";
import { onChainSafeTxHash } from "../../shared/safeHash";

const HOUR = 3600n;
const COOLDOWN_CALL = { target: "CircuitBreaker", call: "setCooldown(uint64)", args: "[7200]" };

async function governed() {
  const { record, recordPath } = await deployedLocal();
  const s = await ethers.getSigners();
  const address = record.governance?.safe?.address;
  if (address === undefined) throw new Error("config/local.json should create a governance Safe");
  const safe = SafeL2__factory.connect(address, ethers.provider);
  const timelock = ProtocolTimelock__factory.connect(record.contracts.ProtocolTimelock, ethers.provider);
  const breaker = CircuitBreaker__factory.connect(record.contracts.CircuitBreaker, ethers.provider);
  const owners = SIGNER.safeOwners.map((i) => s[i]);
  const dir = mkdtempSync(join(tmpdir(), "optiq-safe-"));
  return { record, recordPath, safe, timelock, breaker, owners, signers: s, dir };
}

type Governed = Awaited<ReturnType<typeof governed>>;

async function propose(g: Governed, name: string): Promise<{ path: string; proposal: SafeProposal }> {
  const path = join(g.dir, name);
  await run("safe-propose", { ...COOLDOWN_CALL, out: path, record: g.recordPath });
  return { path, proposal: readProposal(path) };
}

describe("unit/ops/SafeGovernance (propose, sign, execute through the 2-of-3 Safe)", () => {
  it("the deployment makes the Safe the timelock's only proposer and canceller, and records its owners", async () => {
    const g = await loadFixture(governed);
    const safeAddress = await g.safe.getAddress();
    expect(g.record.governance?.safe).to.deep.equal({
      address: safeAddress,
      owners: g.owners.map((o) => o.address),
      threshold: 2,
      created: true,
    });
    expect(g.record.governance?.proposers).to.deep.equal([safeAddress]);
    expect(await g.safe.getOwners()).to.deep.equal(g.owners.map((o) => o.address));
    expect(await g.safe.getThreshold()).to.equal(2n);
    expect(g.record.contracts.GovernanceSafe).to.equal(safeAddress);
    expect(await g.timelock.hasRole(await g.timelock.PROPOSER_ROLE(), safeAddress)).to.equal(true);
    expect(await g.timelock.hasRole(await g.timelock.CANCELLER_ROLE(), safeAddress)).to.equal(true);
    // No owner proposes alone: a direct schedule by an owner is refused by the timelock.
    const data = g.breaker.interface.encodeFunctionData("setCooldown", [2n * HOUR]);
    for (const owner of g.owners) {
      expect(await g.timelock.hasRole(await g.timelock.PROPOSER_ROLE(), owner.address)).to.equal(false);
    }
    await expect(
      g.timelock
        .connect(g.owners[0])
        .schedule(await g.breaker.getAddress(), 0, data, ethers.ZeroHash, ethers.ZeroHash, HOUR),
    ).to.be.revertedWithCustomError(g.timelock, "AccessControlUnauthorizedAccount");
  });

  it("a parameter change: one owner cannot schedule, two can, and it applies only after the timelock delay", async () => {
    const g = await loadFixture(governed);
    const { path, proposal } = await propose(g, "cooldown.json");
    // The file names what signers check: chain, Safe, nonce and the Safe's own hash of the transaction.
    const tx = proposal.tx;
    expect(proposal.chainId).to.equal(31337n);
    expect(proposal.safe).to.equal(await g.safe.getAddress());
    expect(tx.nonce).to.equal(0n);
    expect(tx.to).to.equal(await g.timelock.getAddress());
    expect(proposal.safeTxHash).to.equal(await onChainSafeTxHash(g.safe, tx));
    const cooldownData = g.breaker.interface.encodeFunctionData("setCooldown", [7200n]);
    expect(proposal.timelockCall).to.include({ target: await g.breaker.getAddress(), data: cooldownData });
    expect(proposal.timelockCall.delaySeconds).to.equal(HOUR);

    const first = await run("safe-sign", {
      proposal: path,
      signer: SIGNER.safeOwners[0],
      record: g.recordPath,
    });
    expect(first.out).to.contain(`added the signature of ${g.owners[0].address}: 1 of 2 signatures`);
    await expect(run("safe-execute", { proposal: path, record: g.recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      `safe-execute failed: 1 of the 2 owner signatures the Safe requires (signed: ${g.owners[0].address})`,
    );
    expect(await g.timelock.isOperation(proposal.timelockCall.operationId)).to.equal(false);
    // The same owner again counts once.
    const again = await run("safe-sign", {
      proposal: path,
      signer: SIGNER.safeOwners[0],
      record: g.recordPath,
    });
    expect(again.out).to.contain(`already signed by ${g.owners[0].address}: 1 of 2 signatures`);
    expect(readProposal(path).signatures).to.have.length(1);

    const second = await run("safe-sign", {
      proposal: path,
      signer: SIGNER.safeOwners[2],
      record: g.recordPath,
    });
    expect(second.out).to.contain("2 of 2 signatures").and.to.contain("ready: npx hardhat safe-execute");
    const executed = await run<{ readyAt: bigint }>("safe-execute", { proposal: path, record: g.recordPath });
    expect(await g.safe.nonce()).to.equal(1n);
    expect(await g.timelock.isOperationPending(proposal.timelockCall.operationId)).to.equal(true);
    expect(executed.result.readyAt).to.equal(BigInt(await time.latest()) + HOUR);
    await expect(run("timelock-execute", { proposal: path, record: g.recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      `timelock-execute failed: timelock operation ${proposal.timelockCall.operationId} is not ready`,
    );
    expect(await g.breaker.cooldownSeconds()).to.equal(HOUR);
    await time.increaseTo(executed.result.readyAt);
    const applied = await run("timelock-execute", { proposal: path, signer: 5, record: g.recordPath });
    expect(applied.out).to.contain("executed timelock operation");
    expect(await g.breaker.cooldownSeconds()).to.equal(2n * HOUR);
    await expect(run("timelock-execute", { proposal: path, record: g.recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      "was already executed",
    );
    // The used proposal cannot be signed or executed again.
    await expect(
      run("safe-sign", { proposal: path, signer: SIGNER.safeOwners[1], record: g.recordPath }),
    ).to.be.rejectedWith(
      HardhatPluginError,
      "the proposal's Safe nonce 0 was already used (the Safe is at nonce 1)",
    );
  });

  it("safe-sign refuses a signature for another nonce, chain or Safe, and a non-owner, leaving the file unchanged", async () => {
    const g = await loadFixture(governed);
    const { path, proposal } = await propose(g, "refusals.json");
    const before = readFileSync(path, "utf8");
    const owner = g.owners[1];
    const other = g.record.contracts.ProtocolTimelock; // any address that is not the Safe
    const foreign = {
      nonce: await signSafeTx(owner, proposal.chainId, proposal.safe, { ...proposal.tx, nonce: 1n }),
      chain: await signSafeTx(owner, 1n, proposal.safe, proposal.tx),
      Safe: await signSafeTx(owner, proposal.chainId, other, proposal.tx),
    };
    for (const [what, signature] of Object.entries(foreign)) {
      await expect(
        run("safe-sign", {
          proposal: path,
          signature: signature.data,
          owner: owner.address,
          record: g.recordPath,
        }),
        what,
      ).to.be.rejectedWith(
        HardhatPluginError,
        `safe-sign failed: the signature attributed to ${owner.address} recovers to`,
      );
      expect(readFileSync(path, "utf8"), what).to.equal(before);
    }
    // The right signature, made elsewhere, is taken.
    const good = await signSafeTx(owner, proposal.chainId, proposal.safe, proposal.tx);
    await run("safe-sign", {
      proposal: path,
      signature: good.data,
      owner: owner.address,
      record: g.recordPath,
    });
    expect(readProposal(path).signatures).to.deep.equal([good]);
    // A non-owner's account is refused by name.
    const stranger = g.signers[4];
    await expect(run("safe-sign", { proposal: path, signer: 4, record: g.recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      `safe-sign failed: ${stranger.address} is not an owner of the Safe ${proposal.safe}`,
    );
    await expect(run("safe-sign", { proposal: path, record: g.recordPath })).to.be.rejectedWith(
      HardhatPluginError,
      "give exactly one of --signer, --key (or SAFE_OWNER_KEY) and --signature",
    );
  });

  it("refuses a proposal file for another chain or Safe, or altered after its hash was taken", async () => {
    const g = await loadFixture(governed);
    const { path, proposal } = await propose(g, "file.json");
    const variant = (name: string, p: SafeProposal): string => {
      const file = join(g.dir, name);
      writeFileSync(file, proposalJson(p));
      return file;
    };
    const otherChain = { ...proposal, chainId: 1n, safeTxHash: safeTxHash(1n, proposal.safe, proposal.tx) };
    await expect(
      run("safe-sign", { proposal: variant("chain.json", otherChain), signer: 1, record: g.recordPath }),
    ).to.be.rejectedWith(
      HardhatPluginError,
      "safe-sign failed: the proposal is for chain 1, but this network is chain 31337",
    );
    const elsewhere = g.record.contracts.CircuitBreaker;
    const otherSafe = {
      ...proposal,
      safe: elsewhere,
      safeTxHash: safeTxHash(proposal.chainId, elsewhere, proposal.tx),
    };
    await expect(
      run("safe-execute", { proposal: variant("safe.json", otherSafe), record: g.recordPath }),
    ).to.be.rejectedWith(
      HardhatPluginError,
      `the proposal is for the Safe ${elsewhere}, not the deployment's Safe`,
    );
    const altered = { ...proposal, tx: { ...proposal.tx, data: `${proposal.tx.data}00` } };
    await expect(
      run("safe-sign", { proposal: variant("altered.json", altered), signer: 1, record: g.recordPath }),
    ).to.be.rejectedWith(HardhatPluginError, "is not the hash of its transaction");
    await expect(
      run("safe-propose", {
        target: "Nowhere",
        call: "setCooldown(uint64)",
        args: "[1]",
        record: g.recordPath,
      }),
    ).to.be.rejectedWith(
      HardhatPluginError,
      "--target Nowhere is neither a contract of the deployment record nor an address",
    );
    await expect(
      run("safe-propose", { ...COOLDOWN_CALL, args: '["x"]', record: g.recordPath }),
    ).to.be.rejectedWith(HardhatPluginError, "--args do not fit setCooldown(uint64)");
    expect(readProposal(path).signatures).to.deep.equal([]);
    expect(await g.safe.nonce()).to.equal(0n);
  });
});
