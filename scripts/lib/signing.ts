/**
 * EIP-712 signing of price reports for contracts/oracle/SignedReportSource.sol. Used by the tests and by the
 * operator's reporter script: each reporter signs `Report(asset, priceWad, observedAt)` and anyone relays the
 * signed reports, in any order; the source keeps each reporter's latest.
 */
import type { Signer, TypedDataDomain, TypedDataField } from "ethers";
import { ethers } from "ethers";

/** The EIP-712 domain name and version of SignedReportSource (its constructor's `EIP712(...)` arguments). */
export const REPORT_DOMAIN_NAME = "optiq SignedReportSource";
export const REPORT_DOMAIN_VERSION = "2";

/** The EIP-712 types of a report; mirrors `SignedReportSource.REPORT_TYPEHASH`. */
export const REPORT_TYPES: Record<string, TypedDataField[]> = {
  Report: [
    { name: "asset", type: "address" },
    { name: "priceWad", type: "uint256" },
    { name: "observedAt", type: "uint256" },
  ],
};

/** The type string hashed into `REPORT_TYPEHASH`. */
export const REPORT_TYPE_STRING = "Report(address asset,uint256 priceWad,uint256 observedAt)";

/** What a reporter signs. */
export interface Report {
  asset: string;
  priceWad: bigint;
  observedAt: bigint;
}

/** A signed report as relayed (`ISignedReportSource.SignedReport`) plus its signer. */
export interface SignedReport {
  signer: string;
  priceWad: bigint;
  observedAt: bigint;
  signature: string;
}

/** The domain of the SignedReportSource at `verifyingContract` on chain `chainId`. */
export function reportDomain(chainId: bigint, verifyingContract: string): TypedDataDomain {
  return { name: REPORT_DOMAIN_NAME, version: REPORT_DOMAIN_VERSION, chainId, verifyingContract };
}

/** The EIP-712 digest of `report` under `domain` (what the contract's `reportDigest` returns). */
export function reportDigest(domain: TypedDataDomain, report: Report): string {
  return ethers.TypedDataEncoder.hash(domain, REPORT_TYPES, report);
}

/** Sign `report` with `wallet` under `domain`. */
export async function signReport(
  wallet: Signer,
  domain: TypedDataDomain,
  report: Report,
): Promise<SignedReport> {
  const signature = await wallet.signTypedData(domain, REPORT_TYPES, report);
  return {
    signer: await wallet.getAddress(),
    priceWad: report.priceWad,
    observedAt: report.observedAt,
    signature,
  };
}

/** The calldata form of signed reports (`SignedReport[]` of the contract, without the signer). */
export function toCalldata(
  reports: SignedReport[],
): { priceWad: bigint; observedAt: bigint; signature: string }[] {
  return reports.map(({ priceWad, observedAt, signature }) => ({ priceWad, observedAt, signature }));
}
