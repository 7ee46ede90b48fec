import { writeSync } from 'node:fs';
import TransportStream from 'winston-transport';

const MESSAGE = Symbol.for('message');

/**
 * A winston transport for stdout that writes the lines logged during one turn of the event loop
 * with one write: under load, one system call for several requests instead of one each. Lines
 * wait at most until the next turn; pending lines are written synchronously when the process
 * exits. (A process killed with SIGKILL loses at most the lines of its last turn.)
 */
export class CoalescingStdoutTransport extends TransportStream {
  private pending: string[] = [];
  private scheduled = false;
  private readonly flushOnExit = (): void => {
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    try {
      writeSync(1, chunk);
    } catch {
      // stdout is gone (a closed pipe): nothing left to write to.
    }
  };

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {
    super();
    process.once('exit', this.flushOnExit);
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    this.pending.push(`${String(info[MESSAGE])}\n`);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.flush();
      });
    }
    callback();
  }

  override close(): void {
    this.flush();
    process.removeListener('exit', this.flushOnExit);
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.out.write(chunk);
  }
}
