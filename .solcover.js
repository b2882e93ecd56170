module.exports = {
  // Test-only contracts are not part of the coverage gate.
  skipFiles: ["mocks/"],
  istanbulReporter: ["text", "text-summary", "json-summary", "lcov"],
  mocha: {
    timeout: 1_200_000,
    // The real-node end-to-end tests run the contracts in child `hardhat` processes, which recompile the project
    // (artifacts and typed bindings) under the instrumented run and measure nothing themselves: they run in
    // `npm test`, not here; so does the package test (npm pack, tsc in a temporary project). Mocha reads the string
    // as a regular expression (the in-process part of test/e2e/Sentinel.test.ts still runs under coverage).
    grep: "e2e/(DeployNodes|SentinelNode|Package)",
    invert: true,
  },
};
