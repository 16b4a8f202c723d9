// One line of a text ftrace log (iommu-hardware §6.1), as
// /sys/kernel/tracing/trace and `trace-cmd report` print it:
//   <comm>-<pid> [<cpu>] <latency flags>? <secs.usecs>: <event>: <payload>
// `comm` may contain spaces, dashes and slashes, so the task is split at the
// last `-<digits>` before the `[cpu]` field. The latency-flag column is
// optional. Mailing-list copies sometimes drop the whole header, leaving
// `<event>: <payload>`; those are accepted too.

export interface FtraceRecord {
  /** 1-based line number in the source (the first line when continuation lines were joined). */
  line: number;
  task?: string;
  cpu?: number;
  timestamp?: string;
  event: string;
  payload: string;
  /** The source text (continuations joined with a space). */
  text: string;
}

const HEADER = /^\s*(.*?)-(\d+)\s+\[(\d+)\]\s+(?:[^\s:]{4,}\s+)?(\d+\.\d+):\s+([A-Za-z_][\w:]*):\s?(.*)$/;
const BARE = /^\s*([a-z_][a-z0-9_]*):\s+(IOMMU:.*)$/;

/** The event line's parts, or undefined when the line is not an event line. */
export function parseFtraceLine(text: string, line: number): FtraceRecord | undefined {
  const m = HEADER.exec(text);
  if (m) return { line, task: `${m[1]!.trim()}-${m[2]}`, cpu: Number(m[3]), timestamp: m[4], event: m[5]!, payload: m[6]!.trim(), text };
  const b = BARE.exec(text);
  if (b) return { line, event: b[1]!, payload: b[2]!.trim(), text };
  return undefined;
}
