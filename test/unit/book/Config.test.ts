/**
 * The service's settings: defaults, the deployment record (exchange, chain id, start block), flags over the
 * environment, and each bad setting refused by name; `npm run book` with a bad flag exits 1 with that one line.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { BookConfigError, loadBookConfig } from "../../../scripts/book/config/load";

const EXCHANGE = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

describe("unit/book/Config (settings of npm run book)", () => {
  let dir: string;
  let record: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "optiq-book-config-"));
    record = join(dir, "net.json");
    writeFileSync(
      record,
      JSON.stringify({ chainId: 31337, blockNumber: 42, contracts: { OptionsExchange: EXCHANGE } }),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const refused = (argv: string[], env: NodeJS.ProcessEnv, message: string) => {
    let error: unknown;
    try {
      loadBookConfig(argv, env, dir);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(BookConfigError);
    expect((error as Error).message).to.contain(message);
  };

  it("reads the exchange, chain id and start block from the record, loopback and port 8547 by default", () => {
    const c = loadBookConfig([], { BOOK_RECORD: record }, dir);
    expect(c.exchange).to.equal(EXCHANGE);
    expect(c.expectedChainId).to.equal(31337n);
    expect(c.fromBlock).to.equal(42);
    expect(c.host).to.equal("127.0.0.1");
    expect(c.port).to.equal(8547);
    expect(c.databaseUrl).to.equal(undefined);
  });

  it("takes deployments/<network>.json by default, and a flag over the environment", () => {
    refused([], {}, join(dir, "deployments", "local.json"));
    const c = loadBookConfig(["--port", "9000", "--exchange", EXCHANGE], { BOOK_PORT: "8000" }, dir);
    expect(c.port).to.equal(9000);
    expect(c.expectedChainId).to.equal(undefined);
  });

  it("refuses each bad setting by name", () => {
    refused(["--port", "http"], { BOOK_RECORD: record }, "setting port");
    refused(["--exchange", "0x12"], {}, "setting exchange");
    refused(["--executor-key", "0xabc", "--exchange", EXCHANGE], {}, "setting executorKey");
    refused(["--tick", "0", "--exchange", EXCHANGE], {}, "setting tickSizeQuoteUnits");
    refused(["--colour", "red"], {}, "unknown flag --colour");
    refused(["--port"], {}, "--port needs a value");
    refused(["--validation", "sometimes", "--exchange", EXCHANGE], {}, "setting validation");
    refused(["--write-batch", "0", "--exchange", EXCHANGE], {}, "setting writeBatchOrders");
    refused(["--revalidate-s", "0", "--exchange", EXCHANGE], {}, "setting revalidateIntervalSeconds");
    refused(["--signature-workers", "-1", "--exchange", EXCHANGE], {}, "setting signatureWorkers");
    refused(["--signature-workers", "some", "--exchange", EXCHANGE], {}, "setting signatureWorkers");
  });

  it("checks signatures inline or on worker threads: auto by default, a count when given", () => {
    expect(loadBookConfig([], { BOOK_RECORD: record }, dir).signatureWorkers).to.equal("auto");
    expect(
      loadBookConfig(["--signature-workers", "3"], { BOOK_RECORD: record }, dir).signatureWorkers,
    ).to.equal(3);
    expect(
      loadBookConfig([], { BOOK_RECORD: record, BOOK_SIGNATURE_WORKERS: "0" }, dir).signatureWorkers,
    ).to.equal(0);
  });

  it("checks orders from the cached chain state by default, the exchange's validate per request when asked", () => {
    const c = loadBookConfig([], { BOOK_RECORD: record }, dir);
    expect([c.validation, c.writeBatchOrders, c.revalidateIntervalSeconds]).to.deep.equal([
      "cached",
      256,
      15,
    ]);
    const strict = loadBookConfig(
      ["--validation", "call", "--write-batch", "1"],
      { BOOK_RECORD: record },
      dir,
    );
    expect([strict.validation, strict.writeBatchOrders]).to.deep.equal(["call", 1]);
  });

  it("npm run book exits 1 with one line naming a bad setting", function () {
    this.timeout(60_000);
    const r = spawnSync("npm", ["run", "--silent", "book", "--", "--port", "http", "--record", record], {
      cwd: join(__dirname, "..", "..", ".."),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).to.equal(1);
    const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^book: setting port: /);
  });
});
