// The iommufds a debugger can look into: the open ones, found through the
// VMM's fd table (fd order, so listings are stable from run to run).
import type { IommufdFile } from '../iommufd/iommufd-file.js';
import type { Machine } from '../machine.js';

export interface OpenIommufd {
  name: string;
  fd: number;
  file: IommufdFile;
}

export function openIommufds(machine: Machine): OpenIommufd[] {
  const out: OpenIommufd[] = [];
  const fds = [...machine.host.fds].sort(([a], [b]) => a - b);
  for (const [fd, entry] of fds) if (entry.kind === 'iommufd') out.push({ name: entry.file.name, fd, file: entry.file });
  return out;
}
