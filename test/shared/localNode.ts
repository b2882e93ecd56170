/** The tests' nodes on loopback are the devnet's: scripts/lib/node/localNode.ts. */
export * from "../../scripts/lib/node/localNode";
