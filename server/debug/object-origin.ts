// Which statement created an iommufd object: the last step, up to the
// current position, after which the object's id was live in its iommufd and
// before which it was not. Found by replaying (Timeline.scanBack), so it is
// right after going back too, and costs nothing until a picture asks.
import { openIommufds } from '../../emulator/engine/inspect/files.js';
import { Machine } from '../../emulator/engine/machine.js';
import type { Timeline } from '../../emulator/runtime/timeline.js';
import type { Run } from '../../emulator/runtime/interpreter.js';

export interface ObjectOrigin {
  file: string;
  /** 0-based line of the creating statement. */
  line: number;
}

function isLive(run: Run, fd: string, id: number): boolean {
  const m = run.machine;
  if (!(m instanceof Machine)) return false;
  // An id names an object only within its iommufd: the same number can be live in another one.
  return openIommufds(m).some((f) => f.name === fd && f.file.objects.live().some((o) => o.id === id));
}

/** Leaves the timeline where it was. Undefined when the object is not live here or was never seen created. */
export function objectOrigin(timeline: Timeline, fd: string, id: number): ObjectOrigin | undefined {
  const here = timeline.position;
  let wasLive = false;
  const found = timeline.scanBack(here + 1, {
    begin: (run) => {
      wasLive = isLive(run, fd, id);
    },
    after: (run, ev) => {
      const live = isLive(run, fd, id);
      const created = live && !wasLive;
      wasLive = live;
      return created ? { file: ev.stmt.file, line: ev.stmt.range.start.line } : undefined;
    },
  });
  timeline.seek(here);
  return found?.hit;
}
