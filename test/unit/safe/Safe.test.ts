/**
 * Safe v1.4.1 deployed from its shipped bytecode (scripts/lib/safe/): our EIP-712 SafeTx hash against the Safe's own
 * `getTransactionHash`, owners' signatures packed as `execTransaction` requires, and the Safe's refusals (GS020 too
 * few signatures, GS026 unsorted, duplicated or foreign owners) that the packer and the checks stand in front of.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { getAddress, Interface, TypedDataEncoder } from "ethers";
import { createSafe, deploySafeInfrastructure } from "../../../scripts/lib/safe/deploy";
import { SAFE_VERSION } from "../../../scripts/lib/safe/artifacts";
import { checkOwnerSignature, execArgs, executeSafeTx, safeState } from "../../../scripts/lib/safe/execute";
import {
  concatSignatures,
  packSignatures,
  recoverSigner,
  SafeSignatureError,
  signSafeTx,
  type OwnerSignature,
} from "../../../scripts/lib/safe/signatures";
import {
  safeCall,
  safeDomain,
  safeTxHash,
  SafeOperation,
  type SafeTx,
} from "../../../scripts/lib/safe/transaction";
import { MockERC20__factory } from "../../../typechain-types";
import { onChainSafeTxHash } from "../../shared/safeHash";

const MINT = new Interface(["function mint(address to, uint256 amount)"]);

async function twoOfThree() {
  const [deployer, a, b, c, stranger] = await ethers.getSigners();
  const infra = await deploySafeInfrastructure(deployer);
  const owners = [a, b, c];
  const safe = await createSafe(
    infra,
    deployer,
    owners.map((o) => o.address),
    2n,
  );
  const other = await createSafe(
    infra,
    deployer,
    owners.map((o) => o.address),
    2n,
    1n,
  );
  const token = await new MockERC20__factory(deployer).deploy("Test", "TST", 18);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const safeAddress = await safe.getAddress();
  const mintTx = async (amount: bigint, nonce?: bigint): Promise<SafeTx> =>
    safeCall(
      await token.getAddress(),
      MINT.encodeFunctionData("mint", [stranger.address, amount]),
      nonce ?? (await safe.nonce()),
    );
  return { deployer, owners, stranger, infra, safe, other, token, chainId, safeAddress, mintTx };
}

/** Call `execTransaction` with a raw signature blob (no checks of ours in between). */
function execRaw(f: Awaited<ReturnType<typeof twoOfThree>>, tx: SafeTx, signatures: string) {
  return f.safe.connect(f.stranger).execTransaction(...execArgs(tx, signatures));
}

describe("unit/safe (Safe v1.4.1 from the shipped artifacts)", () => {
  it("deploys the shipped SafeL2 v1.4.1 and sets up a 2-of-3 proxy with the fallback handler", async () => {
    const f = await loadFixture(twoOfThree);
    expect(await f.infra.singleton.VERSION()).to.equal(SAFE_VERSION);
    expect(await f.safe.VERSION()).to.equal("1.4.1");
    expect(await f.safe.getThreshold()).to.equal(2n);
    expect(await f.safe.getOwners()).to.deep.equal(f.owners.map((o) => o.address));
    // The fallback handler is stored at keccak256("fallback_manager.handler.address").
    const slot = ethers.id("fallback_manager.handler.address");
    const stored = await ethers.provider.getStorage(f.safeAddress, slot);
    expect(getAddress(`0x${stored.slice(26)}`)).to.equal(await f.infra.fallbackHandler.getAddress());
    expect(f.safeAddress).to.not.equal(await f.other.getAddress());
  });

  it("hashes a SafeTx exactly as the Safe's getTransactionHash, for any fields, and its domain as domainSeparator", async () => {
    const f = await loadFixture(twoOfThree);
    expect(TypedDataEncoder.hashDomain(safeDomain(f.chainId, f.safeAddress))).to.equal(
      await f.safe.domainSeparator(),
    );
    const samples: SafeTx[] = [
      await f.mintTx(1n, 0n),
      await f.mintTx(10n ** 18n, 7n),
      {
        to: f.stranger.address,
        value: 123n,
        data: "0x",
        operation: SafeOperation.DelegateCall,
        safeTxGas: 50_000n,
        baseGas: 21_000n,
        gasPrice: 3n,
        gasToken: await f.token.getAddress(),
        refundReceiver: f.owners[0].address,
        nonce: 2n ** 64n,
      },
    ];
    const hashes = new Set<string>();
    for (const tx of samples) {
      const ours = safeTxHash(f.chainId, f.safeAddress, tx);
      const theirs = await onChainSafeTxHash(f.safe, tx);
      expect(ours).to.equal(theirs);
      hashes.add(ours);
    }
    expect(hashes.size).to.equal(samples.length);
    // Another Safe or chain gives another hash.
    const tx = samples[0];
    expect(safeTxHash(f.chainId, await f.other.getAddress(), tx)).to.not.equal(
      safeTxHash(f.chainId, f.safeAddress, tx),
    );
    expect(safeTxHash(f.chainId + 1n, f.safeAddress, tx)).to.not.equal(
      safeTxHash(f.chainId, f.safeAddress, tx),
    );
  });

  it("signs with EIP-712 (v 27/28) so that the signature recovers to the owner over the safeTxHash", async () => {
    const f = await loadFixture(twoOfThree);
    const tx = await f.mintTx(5n);
    const s = await signSafeTx(f.owners[1], f.chainId, f.safeAddress, tx);
    expect(s.signer).to.equal(f.owners[1].address);
    expect([27, 28]).to.include(parseInt(s.data.slice(130), 16));
    expect(recoverSigner(safeTxHash(f.chainId, f.safeAddress, tx), s.data)).to.equal(f.owners[1].address);
    // The Safe itself accepts it as one of the required signatures.
    await f.safe.checkNSignatures(safeTxHash(f.chainId, f.safeAddress, tx), "0x", s.data, 1n);
  });

  it("one owner alone cannot execute: our check refuses before sending, the Safe reverts GS020", async () => {
    const f = await loadFixture(twoOfThree);
    const tx = await f.mintTx(5n);
    const one = await signSafeTx(f.owners[0], f.chainId, f.safeAddress, tx);
    await expect(executeSafeTx(f.safe, f.stranger, tx, [one])).to.be.rejectedWith(
      SafeSignatureError,
      `1 owner signature(s) of 2 required by the Safe ${f.safeAddress}`,
    );
    // The same owner twice is still one owner.
    await expect(executeSafeTx(f.safe, f.stranger, tx, [one, one])).to.be.rejectedWith(
      SafeSignatureError,
      "1 owner",
    );
    await expect(execRaw(f, tx, packSignatures([one]))).to.be.revertedWith("GS020");
    expect(await f.token.balanceOf(f.stranger.address)).to.equal(0n);
    expect(await f.safe.nonce()).to.equal(0n);
  });

  it("the threshold executes; the packer sorts by owner and drops repeats, which the raw Safe refuses (GS026)", async () => {
    const f = await loadFixture(twoOfThree);
    const tx = await f.mintTx(42n);
    const sigs = await Promise.all(f.owners.map((o) => signSafeTx(o, f.chainId, f.safeAddress, tx)));
    const ascending = [...sigs].sort((x, y) => (BigInt(x.signer) < BigInt(y.signer) ? -1 : 1));
    const [low, high] = ascending;
    // Unsorted and duplicated lists, raw: the Safe refuses both.
    await expect(execRaw(f, tx, concatSignatures([high, low]))).to.be.revertedWith("GS026");
    await expect(execRaw(f, tx, concatSignatures([low, low]))).to.be.revertedWith("GS026");
    // The packer turns the same lists into what the Safe takes.
    expect(packSignatures([high, low, high])).to.equal(concatSignatures([low, high]));
    expect(packSignatures([low, low])).to.equal(concatSignatures([low]));
    const result = await executeSafeTx(f.safe, f.stranger, tx, [high, low, high]);
    expect(result.hash).to.equal(safeTxHash(f.chainId, f.safeAddress, tx));
    expect(await f.token.balanceOf(f.stranger.address)).to.equal(42n);
    expect(await f.safe.nonce()).to.equal(1n);
    // The same signatures cannot run again: the nonce moved on.
    await expect(executeSafeTx(f.safe, f.stranger, tx, [low, high])).to.be.rejectedWith(
      SafeSignatureError,
      "the transaction is for nonce 0, but the Safe",
    );
    await expect(execRaw(f, tx, packSignatures([low, high]))).to.be.revertedWith("GS026");
  });

  it("refuses a signature made for another nonce, chain or Safe, naming the hash it was checked against", async () => {
    const f = await loadFixture(twoOfThree);
    const tx = await f.mintTx(9n);
    const state = await safeState(f.safe);
    const owner = f.owners[0];
    const hash = safeTxHash(f.chainId, f.safeAddress, tx);
    const foreign: [string, OwnerSignature][] = [
      ["nonce", await signSafeTx(owner, f.chainId, f.safeAddress, { ...tx, nonce: tx.nonce + 1n })],
      ["chain", await signSafeTx(owner, f.chainId + 1n, f.safeAddress, tx)],
      ["Safe", await signSafeTx(owner, f.chainId, await f.other.getAddress(), tx)],
    ];
    const good = await signSafeTx(f.owners[1], f.chainId, f.safeAddress, tx);
    for (const [what, sig] of foreign) {
      expect(() => checkOwnerSignature(state, tx, sig), what).to.throw(
        SafeSignatureError,
        `the signature attributed to ${owner.address} recovers to`,
      );
      expect(() => checkOwnerSignature(state, tx, sig), what).to.throw(`over safeTxHash ${hash}`);
      await expect(executeSafeTx(f.safe, f.stranger, tx, [sig, good]), what).to.be.rejectedWith(
        SafeSignatureError,
      );
      // The Safe itself recovers some other address, which is no owner.
      await expect(execRaw(f, tx, packSignatures([sig, good])), what).to.be.revertedWith("GS026");
    }
    // A non-owner's valid signature is refused too.
    const stranger = await signSafeTx(f.stranger, f.chainId, f.safeAddress, tx);
    expect(() => checkOwnerSignature(state, tx, stranger)).to.throw(`${f.stranger.address} is not an owner`);
    expect(() => recoverSigner(hash, "0x1234")).to.throw(SafeSignatureError, "not a 65-byte signature");
    const ethSign = `${good.data.slice(0, 130)}1f`; // v 31: eth_sign flavour, not accepted here
    expect(() => recoverSigner(hash, ethSign)).to.throw("only EIP-712 signatures (v 27 or 28)");
    expect(await f.safe.nonce()).to.equal(0n);
    expect(await f.token.balanceOf(f.stranger.address)).to.equal(0n);
  });
});
