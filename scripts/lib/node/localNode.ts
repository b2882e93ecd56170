/**
 * Real JSON-RPC nodes on loopback (the end-to-end tests and `npm run devnet`): `npx hardhat node` and anvil (npm
 * `@foundry-rs/anvil-linux-amd64`, else Foundry's on PATH), each on a free port of 127.0.0.1, in its own process group
 * so that stopping it also stops what it spawned; and Hardhat commands run as child processes against them.
 * Everything is bounded in time.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";

export type NodeKind = "hardhat" | "anvil";

export interface LocalNode {
  kind: NodeKind;
  url: string;
  /** Stop the node and its children (idempotent). */
  stop(): Promise<void>;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const ROOT = join(__dirname, "..", "..", "..");

/**
 * The anvil binary shipped by the npm package `@foundry-rs/anvil-linux-amd64` (an optional dependency: the wrapper
 * package `@foundry-rs/anvil` lists platform packages that are not on the registry, which breaks `npm ci`).
 */
export const ANVIL_BIN = join(ROOT, "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");
function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The anvil to run: the npm platform package's binary (`bundled`) where it is installed (Linux x64), else Foundry's
 * `anvil` on `path` (another platform), else an error saying where to get one.
 */
export function anvilCommand(bundled = ANVIL_BIN, path = process.env.PATH ?? ""): string {
  if (isExecutable(bundled)) return bundled;
  for (const dir of path.split(delimiter).filter((d) => d !== "")) {
    const candidate = join(dir, "anvil");
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error(
    `anvil not found: the npm package @foundry-rs/anvil-linux-amd64 ships it for Linux x64 only (no ${bundled}), ` +
      "and no anvil is on PATH; install Foundry (https://getfoundry.sh) or use npx hardhat node",
  );
}

/**
 * The project's Hardhat command line: what `npx hardhat` resolves to, started without npx's own start-up (a second
 * Node process, seconds on a loaded machine for every command the tests and the devnet run).
 */
export const HARDHAT_BIN = join(ROOT, "node_modules", ".bin", "hardhat");
const LOOPBACK = "127.0.0.1";
const running = new Set<ChildProcess>();

/** Kill every process group still running when the test process exits, whatever the reason. */
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

/** Signal every process of `child`'s group, its leader gone or not (a killed leader can leave members running). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // No process of the group is left.
  }
}

/** Resolve when `child` exits, or after `ms` (false). */
function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Stop `child`'s process group: SIGTERM, then SIGKILL after 5 s. */
export async function stopGroup(child: ChildProcess): Promise<void> {
  killGroup(child, "SIGTERM");
  if (!(await exited(child, 5_000))) {
    killGroup(child, "SIGKILL");
    await exited(child, 5_000);
  }
  running.delete(child);
}

/** A port of 127.0.0.1 nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Start `command` in its own process group (stopped with everything it spawns by `stopGroup`). */
export function launch(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    detached: true, // its own process group: killGroup reaches npx, hardhat, the anvil wrapper and binary
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** Whether something already listens on `port` of 127.0.0.1 (a bind attempt, so it does not depend on load). */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(true));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(false)));
  });
}

/** Whether a JSON-RPC node answers on `url`. */
export async function rpcReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await response.json()) as { result?: string };
    return typeof body.result === "string";
  } catch {
    return false;
  }
}

/**
 * Start a node of `kind` on a loopback port (`port`, else a free one) and wait until it answers JSON-RPC (at most
 * `timeoutMs`).
 */
export async function startNode(kind: NodeKind, timeoutMs = 90_000, port?: number): Promise<LocalNode> {
  port ??= await freePort();
  const url = `http://${LOOPBACK}:${port}`;
  const child =
    kind === "hardhat"
      ? launch(HARDHAT_BIN, ["node", "--hostname", LOOPBACK, "--port", String(port)])
      : launch(anvilCommand(), ["--host", LOOPBACK, "--port", String(port), "--silent"]);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000)));
  const node: LocalNode = { kind, url, stop: () => stopGroup(child) };
  try {
    const deadline = Date.now() + timeoutMs;
    while (!(await rpcReady(url))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${kind} node exited before answering (${child.exitCode ?? child.signalCode}):\n${output}`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(`${kind} node did not answer on ${url} within ${timeoutMs} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return node;
  } catch (error) {
    await node.stop();
    throw error;
  }
}

/** Run `npx hardhat <args>` (HARDHAT_BIN) as a child process with `env`; killed (process group) after `timeoutMs`. */
export function runHardhat(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 150_000,
): Promise<CommandResult> {
  return runCommand(HARDHAT_BIN, args, env, timeoutMs);
}

/** Run `command` as a child process with `env` to its end; killed (process group) after `timeoutMs`. */
export async function runCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 150_000,
): Promise<CommandResult> {
  const child = launch(command, args, env);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = await exited(child, timeoutMs);
  if (!done) await stopGroup(child);
  // Let the pipes drain.
  await new Promise((resolve) => setImmediate(resolve));
  return { code: child.exitCode, stdout, stderr, timedOut: !done };
}
