/**
 * A private PostgreSQL cluster for tests: Debian's server binaries (/usr/lib/postgresql/<version>/bin, installed by
 * .ci/run when missing), initdb in a temp folder, started on a free loopback port with trust authentication and its
 * socket in the folder. The server refuses to run as root, so under root it runs as `nobody` through runuser.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./localNode";

const PG_ROOT = "/usr/lib/postgresql";
const NOBODY_UID = 65534;
const NOBODY_GID = 65534;

export interface PostgresCluster {
  url: string;
  /** The server's main process (postmaster), whose children run the sessions. */
  pid: number;
  stop(): void;
}

/** The newest installed server's bin folder. */
export function postgresBin(): string {
  if (!existsSync(PG_ROOT))
    throw new Error(`${PG_ROOT} is absent: install Debian's postgresql (.ci/run does)`);
  const versions = readdirSync(PG_ROOT)
    .filter((v) => existsSync(join(PG_ROOT, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no initdb under ${PG_ROOT}/*/bin`);
  return join(PG_ROOT, versions[0], "bin");
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBin();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "optiq-pg-"));
  chmodSync(dir, 0o700);
  if (root) chownSync(dir, NOBODY_UID, NOBODY_GID);
  const run = (tool: string, args: string[]) => {
    const [cmd, argv] = root
      ? ["runuser", ["-u", "nobody", "--", join(bin, tool), ...args]]
      : [join(bin, tool), args];
    execFileSync(cmd, argv, { stdio: "pipe", timeout: 60_000 });
  };
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-U", "book", "-A", "trust", "--no-locale", "-E", "UTF8"]);
  const port = await freePort();
  run("pg_ctl", [
    "-D",
    data,
    "-l",
    join(dir, "log"),
    "-w",
    "-o",
    `-h 127.0.0.1 -p ${port} -k ${dir}`,
    "start",
  ]);
  // postmaster.pid's first line is the server's process id.
  const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  return {
    url: `postgres://book@127.0.0.1:${port}/postgres`,
    pid,
    stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
