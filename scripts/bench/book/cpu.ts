/**
 * CPU time spent so far, in ms: by this process's main thread (the event loop's), by each of its other threads (Linux
 * /proc; the service's workers named as they recorded themselves, scripts/book/threads.ts), and by the process.
 */
import { readdirSync, readFileSync } from "node:fs";
import { knownThreads } from "../../book/threads";

/** Linux clock ticks per second of /proc's times (USER_HZ, 100 on every Linux target Node supports). */
const TICKS_PER_SECOND = 100;

/** Thread `tid`'s user + system time, or undefined when it is gone or /proc is absent. */
function threadCpuMs(tid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The main thread's user + system time, or undefined where /proc is absent. */
export function mainThreadCpuMs(): number | undefined {
  return threadCpuMs(process.pid);
}

/** Every thread's time by Linux thread id (empty where /proc is absent). */
function allThreadsCpuMs(): Map<number, number> {
  const times = new Map<number, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return times;
  }
  for (const tid of tids.map(Number)) {
    const ms = threadCpuMs(tid);
    if (ms !== undefined) times.set(tid, ms);
  }
  return times;
}

/**
 * CPU time of process `root` and its children (a PostgreSQL server: the postmaster and its backends), in ms; children
 * that have exited count through the root's cutime and cstime. Undefined where /proc is absent.
 */
export function processTreeCpuMs(root: number): number | undefined {
  let total = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    // After the command name: ppid is field 4; utime, stime, cutime, cstime are fields 14 to 17.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const isRoot = Number(pid) === root;
    if (!isRoot && Number(f[1]) !== root) continue;
    found ||= isRoot;
    total += Number(f[11]) + Number(f[12]) + (isRoot ? Number(f[13]) + Number(f[14]) : 0);
  }
  return found ? (total * 1000) / TICKS_PER_SECOND : undefined;
}

/** The whole process's user + system time (every thread: the workers included). */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface CpuSpan {
  mainMs: number | undefined;
  processMs: number;
  /** By the service's worker threads, summed by name ("PGlite", "signature worker"). */
  workersMs: Map<string, number>;
  /** By the database server's processes, when one is watched. */
  serverMs?: number;
}

/** Run `f` and return its result with the CPU it took. */
export async function measuredCpu<T>(
  f: () => Promise<T>,
  serverPid?: number,
): Promise<{ result: T; cpu: CpuSpan }> {
  const server0 = serverPid === undefined ? undefined : processTreeCpuMs(serverPid);
  const main0 = mainThreadCpuMs();
  const process0 = processCpuMs();
  const threads0 = allThreadsCpuMs();
  const result = await f();
  const main1 = mainThreadCpuMs();
  const threads1 = allThreadsCpuMs();
  const server1 = serverPid === undefined ? undefined : processTreeCpuMs(serverPid);
  const workersMs = new Map<string, number>();
  for (const [tid, name] of knownThreads()) {
    const end = threads1.get(tid);
    if (end === undefined) continue;
    workersMs.set(name, (workersMs.get(name) ?? 0) + end - (threads0.get(tid) ?? 0));
  }
  return {
    result,
    cpu: {
      mainMs: main0 === undefined || main1 === undefined ? undefined : main1 - main0,
      processMs: processCpuMs() - process0,
      workersMs,
      serverMs: server0 === undefined || server1 === undefined ? undefined : server1 - server0,
    },
  };
}
