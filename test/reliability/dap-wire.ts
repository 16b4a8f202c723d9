// A raw DAP client for the protocol fuzzer: it sends any JSON as a request's
// arguments (null, a string, wrong types, where DebugClient would only send
// well-typed objects), keeps every response and event, and watches the
// adapter process, so a test can tell "answered with an error" from "never
// answered" and from "the process died".
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface DapResponse {
  request_seq: number;
  command: string;
  success: boolean;
  message?: string;
  body?: { error?: { id: number; format: string } } & Record<string, unknown>;
}

export interface DapEvent {
  event: string;
  body?: Record<string, unknown>;
}

export class DapWire {
  readonly child: ChildProcess;
  readonly events: DapEvent[] = [];
  readonly stderr: string[] = [];
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  private seq = 1;
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, (r: DapResponse) => void>();
  private readonly eventWaiters: (() => void)[] = [];

  constructor() {
    this.child = spawn(process.execPath, [resolve('dist/debugAdapter.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => this.read(d));
    this.child.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.child.on('exit', (code, signal) => (this.exit = { code, signal }));
    // A write after the adapter exited (the test goes on to check it) must not crash the test.
    this.child.stdin!.on('error', () => {});
  }

  /** Sends a request; the promise settles with its response (never rejects: a missing answer is a timeout in `settle`). */
  send(command: string, args?: unknown): { seq: number; response: Promise<DapResponse> } {
    const seq = this.seq++;
    const response = new Promise<DapResponse>((res) => this.pending.set(seq, res));
    const json = JSON.stringify(args === undefined ? { type: 'request', seq, command } : { type: 'request', seq, command, arguments: args });
    this.child.stdin!.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
    return { seq, response };
  }

  /** Sends and waits up to `ms` for the answer; undefined if none came. */
  async request(command: string, args?: unknown, ms = 5000): Promise<DapResponse | undefined> {
    return within(this.send(command, args).response, ms);
  }

  /** The first event named `name` at index `from` or later of `events`, waiting up to `ms`. */
  async event(name: string, from: number, ms = 5000): Promise<DapEvent | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.slice(from).find((e) => e.event === name);
      if (found || Date.now() > deadline) return found;
      await new Promise<void>((r) => {
        this.eventWaiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** Resolves once the process has exited (or after `ms`). */
  async exited(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.exit && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.exit !== undefined;
  }

  kill(): void {
    if (!this.exit) this.child.kill();
  }

  private read(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const head = this.buffer.indexOf('\r\n\r\n');
      if (head < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, head).toString())?.[1]);
      if (this.buffer.length < head + 4 + length) return;
      const msg = JSON.parse(this.buffer.subarray(head + 4, head + 4 + length).toString()) as { type: string } & DapResponse & DapEvent;
      this.buffer = this.buffer.subarray(head + 4 + length);
      if (msg.type === 'event') {
        this.events.push(msg);
        for (const w of this.eventWaiters.splice(0)) w();
      } else if (msg.type === 'response') {
        this.pending.get(msg.request_seq)?.(msg);
        this.pending.delete(msg.request_seq);
      }
    }
  }
}

export function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((res) => {
    const t = setTimeout(() => res(undefined), ms);
    void p.then((v) => {
      clearTimeout(t);
      res(v);
    });
  });
}
