module.exports = {
  // Test-only contracts are not part of the coverage gate.
  skipFiles: ["mocks/"],
  istanbulReporter: ["text", "text-summary", "json-summary", "lcov"],
  mocha: {
    timeout: 1_200_000,
    // The real-node end-to-end tests run the contracts in child `hardhat` processes, which recompile the project
    // (artifacts and typed bindings) under the instrumented run and measure nothing themselves: they run in
    // `npm test`, not here.
    grep: "e2e/DeployNodes",
    invert: true,
  },
};
