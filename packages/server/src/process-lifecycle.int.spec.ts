import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { mainEntry, startServerProcess } from './test-support/server-process.js';
import { testSessionSecret } from './test-support/test-server.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A process's lines and exit code, collected until it exits or `timeoutMs` passes. */
interface Run {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
}

function run(command: string, args: readonly string[], env: Record<string, string>, cwd?: string): Run {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd === undefined ? {} : { cwd }) });
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => stdout.push(line));
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => {
      resolve(code);
    });
  });
  return { child, stdout, stderr, exited };
}

async function exitWithin(r: Run, ms: number): Promise<number | null | 'still running'> {
  return Promise.race([r.exited, new Promise<'still running'>((resolve) => setTimeout(() => { resolve('still running'); }, ms))]);
}

async function listening(port = 0): Promise<NetServer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: NetServer): number => (server.address() as { port: number }).port;
const baseEnv = (): Record<string, string> => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
const stackLine = /^\s+at .+[:(]/;

/** Opens a connection and starts a request whose body never completes. */
async function slowRequest(url: string, path: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  socket.write(`POST ${path} HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{`);
  return socket;
}

describe('the server process: start-up failures and shutdown', function () {
  this.timeout(90_000);

  it('says in one line that PORT is in use, and exits non-zero', async function () {
    const holder = await listening();
    try {
      const port = portOf(holder);
      const r = run(process.execPath, [mainEntry], { ...baseEnv(), PORT: String(port) });
      const code = await exitWithin(r, 20_000);
      if (code === 'still running') r.child.kill('SIGKILL');
      expect(code, [...r.stdout, ...r.stderr].join('\n')).to.be.a('number').and.not.equal(0);
      expect(r.stdout.filter((l) => /listening/.test(l)), 'no "listening" line').to.deep.equal([]);
      expect(r.stderr).to.have.length(1);
      expect(r.stderr[0]).to.match(new RegExp(`127\\.0\\.0\\.1:${port}.*already in use`));
      expect([...r.stdout, ...r.stderr].filter((l) => stackLine.test(l))).to.deep.equal([]);
    } finally {
      holder.close();
    }
  });

  it('says in one line which MongoDB host could not be reached, without credentials or a stack, and exits non-zero', async function () {
    const closed = await listening();
    const port = portOf(closed);
    await new Promise<void>((resolve) => closed.close(() => { resolve(); }));
    const r = run(process.execPath, [mainEntry], { ...baseEnv(), PORT: '0', SESSION_SECRET: testSessionSecret, MONGODB_URI: `mongodb://partner:hunter2-secret@127.0.0.1:${port}/partner_team?authSource=admin` });
    const code = await exitWithin(r, 30_000);
    if (code === 'still running') r.child.kill('SIGKILL');
    const output = [...r.stdout, ...r.stderr];
    expect(code, output.join('\n')).to.be.a('number').and.not.equal(0);
    expect(r.stderr, output.join('\n')).to.have.length(1);
    expect(r.stderr[0]).to.match(new RegExp(`MongoDB at 127\\.0\\.0\\.1:${port} could not be reached`));
    expect(output.join('\n')).not.to.include('hunter2');
    expect(output.filter((l) => stackLine.test(l))).to.deep.equal([]);
  });

  it('exits 0 on SIGTERM when nothing is in flight, and non-zero with a log line when the shutdown deadline cuts a request off', async function () {
    const env = { ...baseEnv(), SHUTDOWN_TIMEOUT_MS: '500' };
    const idle = await startServerProcess(env);
    idle.child.kill('SIGTERM');
    const idleCode = await new Promise<number | null>((resolve) => idle.child.once('exit', (code) => { resolve(code); }));
    expect(idleCode, idle.output.join('\n')).to.equal(0);

    const busy = await startServerProcess(env);
    const socket = await slowRequest(busy.url, '/demo/sign-in');
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      busy.child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => busy.child.once('exit', (c) => { resolve(c); }));
      expect(code, busy.output.join('\n')).to.be.a('number').and.not.equal(0);
      expect(Date.now() - started, 'it waited for the deadline, not longer than a few seconds').to.be.below(5_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(busy.output.some((l) => /shutdown deadline/.test(l) && /"level":"error"/.test(l)), busy.output.join('\n')).to.equal(true);
    } finally {
      socket.destroy();
    }
  });

  it('stops the server when `npm start` gets SIGTERM (signals reach the node process)', async function () {
    const env = { ...baseEnv(), PORT: '0' };
    const r = run('npm', ['start', '--silent'], env, repositoryRoot);
    let url: string | undefined;
    let pid: number | undefined;
    try {
      for (let wait = 0; wait < 600 && url === undefined; wait += 1) {
        const line = r.stdout.find((l) => l.includes('listening'));
        if (line !== undefined) {
          url = /"url":"(http:\/\/[^"]+?)\/?"/.exec(line)?.[1];
          pid = Number(/"pid":(\d+)/.exec(line)?.[1] ?? Number.NaN);
        }
        if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(url, [...r.stdout, ...r.stderr].join('\n')).to.be.a('string');
      expect((await fetch(`${url ?? ''}/healthz`)).status).to.equal(200);
      r.child.kill('SIGTERM');
      expect(await exitWithin(r, 15_000), 'npm exits').not.to.equal('still running');
      let refused = false;
      for (let wait = 0; wait < 50 && !refused; wait += 1) {
        refused = await fetch(`${url ?? ''}/healthz`).then(
          () => false,
          () => true,
        );
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(refused, 'the server stopped serving').to.equal(true);
    } finally {
      r.child.kill('SIGKILL');
      if (pid !== undefined && Number.isSafeInteger(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
});
