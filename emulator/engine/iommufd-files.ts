// The iommufds a trace opened, by name: which one later statements use (the
// most recently opened still open), which one queries use (that, else the
// most recently closed), and the EBADF rule for names of closed ones.
import { fail } from './errno.js';
import type { Host } from './host.js';
import { IommufdFile } from './iommufd/iommufd-file.js';

export class IommufdFiles {
  /** By name, open or closed: a closed one stays visible to queries. */
  private readonly files = new Map<string, IommufdFile>();
  /** Names of the open ones, in opening order. */
  private readonly openOrder: string[] = [];
  private lastClosed?: string;

  constructor(private readonly host: Host) {}

  open(name: string): number {
    const file = new IommufdFile(name, this.host.phys, this.host.vmm);
    const n = this.host.allocFd(name, { kind: 'iommufd', file });
    file.fdSpace = this.host;
    this.files.set(name, file);
    this.openOrder.push(name);
    return n;
  }

  close(name: string): void {
    const file = this.forStatement(name);
    this.host.freeFd(name);
    this.openOrder.splice(this.openOrder.indexOf(name), 1);
    this.lastClosed = name;
    file.close();
  }

  current(): string | undefined {
    return this.openOrder.at(-1);
  }

  forQueries(): string | undefined {
    return this.current() ?? this.lastClosed;
  }

  /** The file a statement names: EBADF once closed. */
  forStatement(name: string): IommufdFile {
    const file = this.known(name);
    if (file.closed) fail('EBADF', `iommufd ${name} is closed`);
    return file;
  }

  /** Whether `name` is an iommufd that was closed (its name no longer names an fd). */
  isClosed(name: string): boolean {
    return this.files.get(name)?.closed ?? false;
  }

  /** The file a query names: open or closed (a released one has no objects left). */
  known(name: string): IommufdFile {
    const file = this.files.get(name);
    if (!file) throw new Error(`no iommufd named ${name}`);
    return file;
  }
}
