/** CPU time spent so far, in ms: by this process's main thread (the event loop's; Linux /proc) and by the process. */
import { readFileSync } from "node:fs";

/** Linux clock ticks per second of /proc's times (USER_HZ, 100 on every Linux target Node supports). */
const TICKS_PER_SECOND = 100;

/** The main thread's user + system time, or undefined where /proc is absent. */
export function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The whole process's user + system time (every thread: the signature workers included). */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface CpuSpan {
  mainMs: number | undefined;
  processMs: number;
}

/** Run `f` and return its result with the CPU it took. */
export async function measuredCpu<T>(f: () => Promise<T>): Promise<{ result: T; cpu: CpuSpan }> {
  const main0 = mainThreadCpuMs();
  const process0 = processCpuMs();
  const result = await f();
  const main1 = mainThreadCpuMs();
  return {
    result,
    cpu: {
      mainMs: main0 === undefined || main1 === undefined ? undefined : main1 - main0,
      processMs: processCpuMs() - process0,
    },
  };
}
