/**
 * What Linux says about a process in `/proc`: resident memory, CPU time and
 * the open-file limit. Every reader returns `null` where `/proc` is missing
 * (other systems) or the process is gone, so the bench prints `n/a`.
 *
 * @module
 */

// USER_HZ: the unit of utime and stime in /proc/<pid>/stat. It is 100 on
// every Linux the kernel documentation knows of.
const TICKS_PER_SECOND = 100;

function _read(path: string): string | null {
  if (Deno.build.os !== "linux") return null;
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    if (
      error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.PermissionDenied ||
      // A process that just exited: reading its files fails with ESRCH.
      (error instanceof Error && /ESRCH|No such process/.test(error.message))
    ) return null;
    throw error;
  }
}

function _statusField(pid: number | "self", field: string): number | null {
  const text = _read(`/proc/${pid}/status`);
  if (text === null) return null;
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(text);
  return match === null ? null : Number(match[1]);
}

/**
 * Resident memory of a process (`VmRSS`).
 *
 * @param pid Process id, or `"self"`.
 * @returns Kilobytes, or `null` when unknown.
 */
export function rssKb(pid: number | "self"): number | null {
  return _statusField(pid, "VmRSS");
}

/**
 * Peak resident memory of a process (`VmHWM`).
 *
 * @param pid Process id, or `"self"`.
 * @returns Kilobytes, or `null` when unknown.
 */
export function peakRssKb(pid: number | "self"): number | null {
  return _statusField(pid, "VmHWM");
}

/**
 * CPU time a process has used, user and system, over all its threads. Like
 * chatload's `--server-pid`, it sums the nanosecond run times of the live
 * threads (`/proc/<pid>/task/<tid>/schedstat`); where those are missing it
 * falls back to `utime` + `stime` from `/proc/<pid>/stat` (10 ms ticks,
 * which also count threads that have exited).
 *
 * @param pid Process id, or `"self"`.
 * @returns Seconds, or `null` when unknown.
 */
export function cpuSeconds(pid: number | "self"): number | null {
  return scheduledSeconds(pid) ?? tickSeconds(pid);
}

/**
 * CPU time of the live threads of a process, from their `schedstat`, in
 * nanoseconds' precision.
 *
 * @param pid Process id, or `"self"`.
 * @returns Seconds, or `null` when unknown.
 */
export function scheduledSeconds(pid: number | "self"): number | null {
  if (Deno.build.os !== "linux") return null;
  let total = 0;
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const text = _read(`/proc/${pid}/task/${task.name}/schedstat`);
      if (text === null) continue; // a thread that just exited
      const ns = Number(text.split(" ")[0]);
      if (!Number.isFinite(ns)) return null;
      total += ns;
    }
  } catch (error) {
    if (
      error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.PermissionDenied
    ) return null;
    throw error;
  }
  return total / 1e9;
}

/**
 * CPU time of a process from `/proc/<pid>/stat` (`utime` + `stime`), in
 * 10 ms ticks, exited threads included.
 *
 * @param pid Process id, or `"self"`.
 * @returns Seconds, or `null` when unknown.
 */
export function tickSeconds(pid: number | "self"): number | null {
  const text = _read(`/proc/${pid}/stat`);
  if (text === null) return null;
  // The command name (field 2) may hold spaces: count fields after its ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 here.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return (utime + stime) / TICKS_PER_SECOND;
}

/** The open-file limit of a process. */
export interface FileLimit {
  /** The limit in force. */
  soft: number;
  /** How far the process could raise it. */
  hard: number;
}

/**
 * The open-file limit (`RLIMIT_NOFILE`) of a process, from
 * `/proc/<pid>/limits`; "unlimited" reads as `Infinity`.
 *
 * @param pid Process id, or `"self"`.
 * @returns The limit, or `null` when unknown.
 */
export function openFileLimit(pid: number | "self" = "self"): FileLimit | null {
  const text = _read(`/proc/${pid}/limits`);
  if (text === null) return null;
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (match === null) return null;
  const number = (s: string) => s === "unlimited" ? Infinity : Number(s);
  return { soft: number(match[1]!), hard: number(match[2]!) };
}
