#!/usr/bin/env node
// Forge's solc: the npm `solc` package (WebAssembly) behind the native compiler's command line, so nothing is downloaded.
"use strict";

const fs = require("fs");
const path = require("path");

const args = process.argv.slice(2);
const solcPackage = require("solc/package.json");
// Forge parses the native banner's version line; the wasm build's commit is the same release.
const NATIVE_VERSION = `${solcPackage.version}+commit.7893614a.Linux.g++`;

if (args.includes("--version")) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${NATIVE_VERSION}\n`);
  process.exit(0);
}

if (!args.includes("--standard-json")) {
  process.stderr.write(`scripts/forge/solc.js answers --version and --standard-json only (got: ${args.join(" ")})\n`);
  process.exit(2);
}

// Roots forge allows imports from (--base-path, --include-path, --allow-paths), tried in order for missing sources.
const roots = [process.cwd()];
for (let i = 0; i < args.length; i++) {
  if (["--base-path", "--include-path", "--allow-paths"].includes(args[i]) && args[i + 1] !== undefined) {
    for (const root of args[i + 1].split(",")) if (root !== "") roots.push(root);
  }
}

function findImports(importPath) {
  for (const root of roots) {
    const file = path.resolve(root, importPath);
    if (fs.existsSync(file)) return { contents: fs.readFileSync(file, "utf8") };
  }
  return { error: `File not found: ${importPath}` };
}

const input = fs.readFileSync(0, "utf8");
const solc = require("solc");
process.stdout.write(solc.compile(input, { import: findImports }));
