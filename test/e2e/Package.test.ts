/**
 * The integrator package: `npm pack` (which builds it through `prepack`) gives a tarball that installs offline into
 * a fresh project; there the bindings, the ABIs and the deployment records load through the `exports` map, deep
 * paths stay private, and the README's integrator example type-checks as written.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { artifacts } from "hardhat";
import type { DeploymentRecord } from "../../src/deployment";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");

async function sh(cmd: string, args: string[], cwd: string, timeout = 240_000): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { cwd, timeout, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/** The README's integrator example: the ```ts block that imports "@optiq/protocol". */
/** The integrator's tsconfig the README gives (the ```json block with `compilerOptions`). */
function readmeTsconfig(): { compilerOptions: Record<string, unknown> } {
  const blocks = [...readFileSync(join(ROOT, "README.md"), "utf8").matchAll(/```json\n([\s\S]*?)```/g)].map(
    (m) => m[1],
  );
  const tsconfig = blocks.find((b) => b.includes('"compilerOptions"'));
  if (tsconfig === undefined) throw new Error("README.md has no ```json tsconfig with compilerOptions");
  return JSON.parse(tsconfig) as { compilerOptions: Record<string, unknown> };
}

function readmeExample(): string {
  const blocks = [...readFileSync(join(ROOT, "README.md"), "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map(
    (m) => m[1],
  );
  const example = blocks.find((b) => b.includes('from "@optiq/protocol"'));
  if (example === undefined) throw new Error("README.md has no ```ts example importing @optiq/protocol");
  return example;
}

describe("e2e/Package (the integrator package, packed and installed offline)", function () {
  let work: string;
  let consumer: string;

  before(async function () {
    this.timeout(600_000);
    work = mkdtempSync(join(tmpdir(), "optiq-package-"));
    // `npm pack` runs `prepack` (the build), whose output precedes the JSON on stdout.
    const output = await sh(
      "npm",
      ["pack", "--json", "--pack-destination", work, "--offline", "--no-fund", "--no-audit"],
      ROOT,
    );
    const packed = JSON.parse(output.slice(output.lastIndexOf("\n[") + 1)) as { filename: string }[];
    consumer = join(work, "consumer");
    mkdirSync(join(consumer, "node_modules"), { recursive: true });
    writeFileSync(
      join(consumer, "package.json"),
      JSON.stringify({ name: "consumer", private: true, version: "1.0.0" }),
    );
    await sh(
      "npm",
      [
        "install",
        join(work, packed[0].filename),
        "--offline",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--legacy-peer-deps",
        "--no-package-lock",
      ],
      consumer,
    );
    // The peer dependency, linked from this repository's install (after npm install, which prunes what it did not
    // install; the test must not reach a registry).
    symlinkSync(join(ROOT, "node_modules", "ethers"), join(consumer, "node_modules", "ethers"), "dir");
  });

  after(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it("loads a factory, an ABI and a deployment record through the exports map", async function () {
    this.timeout(120_000);
    const script = `
      const pkg = require("@optiq/protocol");
      const abi = require("@optiq/protocol/abi/OptionsClearing.json");
      const record = require("@optiq/protocol/deployments/local.json");
      const clearing = pkg.OptionsClearing__factory.connect(pkg.getDeployment("local").contracts.OptionsClearing);
      let deep = "allowed";
      try { require("@optiq/protocol/dist/src/index.js"); } catch (e) { deep = e.code; }
      let missing = "";
      try { pkg.getDeployment("mainnet"); } catch (e) { missing = e.message; }
      clearing.getAddress().then((address) => console.log(JSON.stringify({
        address,
        names: pkg.deploymentNames(),
        abi,
        factoryAbi: pkg.OptionsClearing__factory.abi,
        recordClearing: record.contracts.OptionsClearing,
        chainId: record.chainId,
        deep,
        missing,
      })));
    `;
    const out = JSON.parse(await sh("node", ["-e", script], consumer)) as {
      address: string;
      names: string[];
      abi: unknown[];
      factoryAbi: unknown[];
      recordClearing: string;
      chainId: number;
      deep: string;
      missing: string;
    };
    const local = JSON.parse(
      readFileSync(join(ROOT, "deployments", "local.json"), "utf8"),
    ) as DeploymentRecord;
    expect(out.names).to.deep.equal(["local"]);
    expect(out.address).to.equal(local.contracts.OptionsClearing);
    expect(out.recordClearing).to.equal(local.contracts.OptionsClearing);
    expect(out.chainId).to.equal(31337);
    // The shipped ABI is the compiled contract's, and the binding's.
    const compiled = (await artifacts.readArtifact("OptionsClearing")).abi;
    expect(out.abi).to.deep.equal(JSON.parse(JSON.stringify(compiled)));
    expect(out.factoryAbi).to.deep.equal(out.abi);
    expect(out.deep).to.equal("ERR_PACKAGE_PATH_NOT_EXPORTED");
    expect(out.missing).to.equal("no deployment record 'mainnet' in @optiq/protocol (it has: local)");
    // The MIT licence of package.json ships with the package.
    const license = readFileSync(join(consumer, "node_modules", "@optiq", "protocol", "LICENSE"), "utf8");
    expect(license).to.match(/^MIT License\n/);
  });

  it("exports the order book client, which loads without the service's own packages (no ws, no fastify)", async function () {
    this.timeout(120_000);
    const script = `
      const { BookClient, BookApiError, bookDomain, CANCEL_TYPES, buildOrder, exchangeDomain, hashOrder, orderDigester } =
        require("@optiq/protocol");
      const domain = exchangeDomain("0x0000000000000000000000000000000000000002", 31337n);
      const order = buildOrder({ accountId: 1n, owner: "0x0000000000000000000000000000000000000003", seriesId: 2n,
        side: 1, amount: 10n ** 18n, limitPremiumPerContract: 10n ** 6n, maxFeePerContract: 0n, expiry: 99n });
      let refused = "";
      BookClient.connect("http://127.0.0.1:1").catch((e) => (refused = e.name + " " + e.constructor.name)).then(() =>
        console.log(JSON.stringify({
          connect: typeof BookClient.connect,
          error: new BookApiError(400, { error: "order.expiry: too soon", field: "order.expiry" }).field,
          domain: bookDomain("0x0000000000000000000000000000000000000001", 31337n).name,
          cancel: CANCEL_TYPES.Cancel.map((f) => f.name),
          digest: orderDigester(domain)(order) === hashOrder(domain, order),
          refused,
          ws: (() => { try { require.resolve("ws"); return "present"; } catch { return "absent"; } })(),
        })),
      );
    `;
    const out = JSON.parse(await sh("node", ["-e", script], consumer)) as Record<string, unknown>;
    expect(out).to.deep.equal({
      connect: "function",
      error: "order.expiry",
      domain: "optiq OrderBook",
      cancel: ["orderHash", "deadline"],
      digest: true,
      // An unreachable book is fetch's own error, not a BookApiError.
      refused: "TypeError TypeError",
      ws: "absent",
    });
  });

  it("type-checks the README's integrator example with the README's tsconfig, with typed (not `any`) bindings", async function () {
    this.timeout(240_000);
    writeFileSync(join(consumer, "example.ts"), readmeExample());
    // A second file with a mistake: the binding must refuse a number for an address.
    writeFileSync(
      join(consumer, "mistake.ts"),
      'import { OptionsClearing__factory } from "@optiq/protocol";\nOptionsClearing__factory.connect(42);\n',
    );
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { ...readmeTsconfig().compilerOptions, noEmit: true },
        files: ["example.ts", "mistake.ts"],
      }),
    );
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    let output = "";
    try {
      output = await sh("node", [tsc, "-p", "tsconfig.json", "--pretty", "false"], consumer);
    } catch (error) {
      output = (error as Error).message;
    }
    const errors = output.split("\n").filter((l) => / error TS\d+/.test(l));
    expect(errors.length, output).to.equal(1);
    expect(errors[0]).to.match(/^mistake\.ts\(2,\d+\): error TS2345/);
  });
});
