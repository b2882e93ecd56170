module.exports = {
  // Test-only contracts are not part of the coverage gate.
  skipFiles: ["mocks/"],
  istanbulReporter: ["text", "text-summary", "json-summary", "lcov"],
  mocha: { timeout: 1_200_000 },
};
