/**
 * The service's worker threads by name and Linux thread id, so that a benchmark can account CPU time per thread
 * (/proc/self/task/<tid>/stat). A worker learns its own id (`linuxThreadId`) and sends it with its first message; the
 * thread that started it records it here.
 */
import { readlinkSync } from "node:fs";

const threads = new Map<number, string>();

/** This thread's Linux id (from /proc/thread-self), or undefined where /proc is absent. */
export function linuxThreadId(): number | undefined {
  try {
    return Number(readlinkSync("/proc/thread-self").split("/").pop());
  } catch {
    return undefined;
  }
}

/** Record that thread `tid` (if known) runs `name`. */
export function recordThread(name: string, tid: number | undefined): void {
  if (tid !== undefined) threads.set(tid, name);
}

/** Forget `tid` (its worker has exited). */
export function forgetThread(tid: number | undefined): void {
  if (tid !== undefined) threads.delete(tid);
}

/** The recorded worker threads: Linux thread id → what runs there. */
export function knownThreads(): ReadonlyMap<number, string> {
  return threads;
}
