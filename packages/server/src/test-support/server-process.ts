import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const mainEntry = fileURLToPath(new URL('../main.js', import.meta.url));

/** A server running in its own process, as in production. */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Lines the process wrote (stdout and stderr), for diagnostics. */
  readonly output: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `entry` with `env` on an ephemeral port and waits for its "listening" log line. */
export async function startServerProcess(env: Record<string, string>, entry: string = mainEntry): Promise<ServerProcess> {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: env.LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server did not start:\n${output.slice(-20).join('\n')}`));
    }, 30_000);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (output.length < 2000) output.push(line);
        const match = /"url":"(http:\/\/[^"]+?)\/?"/.exec(line);
        if (match?.[1] !== undefined && line.includes('listening')) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    }
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited during start:\n${output.slice(-20).join('\n')}`));
    });
  });
  return {
    url,
    child,
    output,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
