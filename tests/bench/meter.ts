/**
 * CPU and wall time over one measured stretch, for the server and for the
 * bench itself, so a report shows who was busy: a server near 100 % with
 * the bench well below means the server is the bottleneck.
 *
 * @module
 */

import { nowUs } from "./marker.ts";
import { scheduledSeconds, tickSeconds } from "./proc_stats.ts";

/** What a {@linkcode Meter} measured. */
export interface Usage {
  /** Wall-clock seconds from start to stop. */
  wallS: number;
  /** Server CPU seconds in that time; `null` when unknown. */
  serverCpuS: number | null;
  /** The bench's own CPU seconds in that time; `null` when unknown. */
  benchCpuS: number | null;
}

// One reading of a process's CPU time, both ways.
interface _Cpu {
  scheduled: number | null;
  ticks: number | null;
}

function _cpu(pid: number | "self"): _Cpu {
  return { scheduled: scheduledSeconds(pid), ticks: tickSeconds(pid) };
}

// The precise difference, unless threads exited in between (their time
// leaves the sum of live threads), then the coarse one.
function _used(from: _Cpu, to: _Cpu): number | null {
  const ticks = from.ticks === null || to.ticks === null
    ? null
    : to.ticks - from.ticks;
  if (from.scheduled === null || to.scheduled === null) return ticks;
  const scheduled = to.scheduled - from.scheduled;
  return ticks !== null && scheduled < ticks - 0.02 ? ticks : scheduled;
}

/** Measures wall time and CPU time of the server and of this process. */
export class Meter {
  #pid: number;
  #startUs: number;
  #server: _Cpu;
  #bench: _Cpu;

  /**
   * Starts measuring now.
   *
   * @param serverPid The server's process id.
   */
  constructor(serverPid: number) {
    this.#pid = serverPid;
    this.#startUs = nowUs();
    this.#server = _cpu(serverPid);
    this.#bench = _cpu("self");
  }

  /** When measuring started, in µs of the bench's clock. */
  get startUs(): number {
    return this.#startUs;
  }

  /**
   * What was used since the start.
   *
   * @returns Wall and CPU seconds.
   */
  read(): Usage {
    return {
      wallS: (nowUs() - this.#startUs) / 1e6,
      serverCpuS: _used(this.#server, _cpu(this.#pid)),
      benchCpuS: _used(this.#bench, _cpu("self")),
    };
  }
}
