/**
 * The signature pool (scripts/book/validation/signatures.ts), on worker threads and inline: each order's EIP-712 digest
 * and the signer (lower case) its signature recovers to, the same as the order library and ethers; a byte string that
 * is no signature recovers to null; jobs posted together each get their own answer; `ready` resolves once loaded.
 */
import { expect } from "chai";
import { ethers, Wallet } from "ethers";
import { SignaturePool } from "../../../scripts/book/validation/signatures";
import { buildOrder, exchangeDomain, hashOrder, signOrder, Side } from "../../../src/exchange/order";

for (const size of [2, 0])
  describe(`unit/book/SignaturePool (digests and signers ${size === 0 ? "inline" : `on ${size} worker threads`})`, function () {
    this.timeout(120_000);
    const domain = exchangeDomain("0x" + "12".repeat(20), 31337n);
    let pool: SignaturePool;
    before(async () => {
      pool = new SignaturePool(domain, size);
      await pool.ready;
    });
    after(() => pool.close());

    it("answers each of many jobs with the digest and the signer of its own order", async () => {
      const wallets = Array.from({ length: 4 }, () => Wallet.createRandom());
      const jobs = await Promise.all(
        Array.from({ length: 24 }, async (_, i) => {
          const w = wallets[i % wallets.length];
          const order = buildOrder({
            accountId: BigInt(i),
            owner: w.address,
            seriesId: 3n,
            side: i % 2 === 0 ? Side.Buy : Side.Sell,
            amount: 10n ** 18n,
            limitPremiumPerContract: BigInt(i + 1) * 10n ** 6n,
            maxFeePerContract: 0n,
            expiry: 10_000n,
            nonce: BigInt(i),
          });
          return { order, signature: await signOrder(w, domain, order), signer: w.address };
        }),
      );
      const answers = await Promise.all(jobs.map((j) => pool.recover(j.order, j.signature)));
      expect(answers).to.deep.equal(
        jobs.map((j) => ({ hash: hashOrder(domain, j.order), signer: j.signer.toLowerCase() })),
      );
    });

    it("recovers another signer for another order's signature, and null for bytes that are no signature", async () => {
      const w = Wallet.createRandom();
      const order = buildOrder({
        accountId: 1n,
        owner: w.address,
        seriesId: 3n,
        side: Side.Sell,
        amount: 10n ** 18n,
        limitPremiumPerContract: 10n ** 6n,
        maxFeePerContract: 0n,
        expiry: 10_000n,
        nonce: 0n,
      });
      const signature = await signOrder(w, domain, order);
      const moved = { ...order, nonce: 1n };
      const [other, garbage] = await Promise.all([
        pool.recover(moved, signature),
        pool.recover(order, "0x" + "00".repeat(65)),
      ]);
      expect(other.hash).to.equal(hashOrder(domain, moved));
      expect(other.signer).to.not.equal(null);
      expect(other.signer).to.not.equal(w.address.toLowerCase());
      expect(other.signer).to.equal(ethers.recoverAddress(hashOrder(domain, moved), signature).toLowerCase());
      expect(garbage).to.deep.equal({ hash: hashOrder(domain, order), signer: null });
    });
  });
