/**
 * The deploy step's on-chain check of the governance section (scripts/lib/deploy/governance.ts), against the
 * in-process chain: outside development chains a proposer with no code (a single key) is refused, a contract is
 * taken; an existing Safe must have code and answer as a set-up Safe.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { validateConfig } from "../../../scripts/lib/config";
import { governancePreflight } from "../../../scripts/lib/deploy/governance";
import { createSafe, deploySafeInfrastructure } from "../../../scripts/lib/safe/deploy";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const local = (): Json => JSON.parse(readFileSync("config/local.json", "utf8")) as Json;
const PUBLIC_CHAIN = 1;

async function chain() {
  const [deployer, a, b, c, key] = await ethers.getSigners();
  const infra = await deploySafeInfrastructure(deployer);
  const safe = await createSafe(infra, deployer, [a.address, b.address, c.address], 2n);
  return {
    key,
    safe: await safe.getAddress(),
    singleton: await infra.singleton.getAddress(),
    handler: await infra.fallbackHandler.getAddress(),
  };
}

function configWith(governance: Json) {
  const raw = local();
  raw.governance = { ...raw.governance, ...governance };
  return validateConfig(raw, { now: 0, allowMocks: true });
}

describe("unit/deploy/GovernancePreflight (proposers checked on-chain)", () => {
  it("refuses a proposer without code on a public chain, and takes it on a development chain", async () => {
    const f = await loadFixture(chain);
    const config = configWith({ safe: undefined, proposers: [f.key.address] });
    expect(await governancePreflight(ethers.provider, config, PUBLIC_CHAIN, false)).to.deep.equal([
      `governance.proposers[0]: ${f.key.address} has no code on chain 1; outside development chains a proposer must be a contract (a multisig such as a Safe), never a single key`,
    ]);
    expect(await governancePreflight(ethers.provider, config, 31337, true)).to.deep.equal([]);
  });

  it("takes a contract as a proposer and an existing, set-up Safe on a public chain", async () => {
    const f = await loadFixture(chain);
    const config = configWith({ safe: { address: f.safe }, proposers: [f.singleton] });
    expect(await governancePreflight(ethers.provider, config, PUBLIC_CHAIN, false)).to.deep.equal([]);
  });

  it("refuses an existing Safe with no code, and a contract that is no set-up Safe", async () => {
    const f = await loadFixture(chain);
    const missing = configWith({ safe: { address: f.key.address } });
    expect(await governancePreflight(ethers.provider, missing, PUBLIC_CHAIN, false)).to.deep.equal([
      `governance.safe.address: no contract at ${f.key.address} on chain 1`,
    ]);
    // The singleton has the Safe's code but no owners (it is never set up); the handler is no Safe at all.
    const singleton = configWith({ safe: { address: f.singleton } });
    expect(await governancePreflight(ethers.provider, singleton, PUBLIC_CHAIN, false)).to.deep.equal([
      `governance.safe.address: ${f.singleton} is not a set-up Safe (getOwners() and getThreshold() give no usable multisig)`,
    ]);
    const handler = configWith({ safe: { address: f.handler } });
    expect(await governancePreflight(ethers.provider, handler, PUBLIC_CHAIN, false)).to.deep.equal([
      `governance.safe.address: ${f.handler} is not a set-up Safe (getOwners() and getThreshold() give no usable multisig)`,
    ]);
  });
});
