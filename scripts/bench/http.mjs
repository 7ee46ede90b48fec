// Part 1: HTTP cost of our whole stack against raw node:http and a plain Express 5 baseline,
// measured side by side in interleaved rounds (the machines are shared and noisy).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { CsrfTokens, JwtSessionAuthenticator } from '@partner-team/express';
import { benchFixture, terms } from './roster-data.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const serverMain = fileURLToPath(new URL('../../packages/server/dist/main.js', import.meta.url));
const secret = 'benchmark-session-secret-of-32-characters';

const ticksPerSecond = 100; // USER_HZ on Linux
function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

/** Steal and total jiffies from /proc/stat (undefined where unavailable). */
export function cpuJiffies() {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: cpu.reduce((a, b) => a + b, 0), steal: cpu[7] ?? 0 };
  } catch {
    return undefined;
  }
}

async function start(name, script, env, execPath) {
  const child = fork(script, [], { execArgv: process.env.PROFILE && (name === 'stack' || name === 'express') ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}/${name}`] : [], env: { PATH: process.env.PATH, ...env }, execPath, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr}`)), 30_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m.port);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${stderr}`)));
  });
  return { name, child, url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => { child.once('exit', r); child.kill(); }) };
}

/** Starts the bundled server (in-memory, 1,000 members) and both baselines serving its member page. */
export async function startTargets(execPath = process.execPath, members = 1000) {
  const dir = join(tmpdir(), `partner-team-bench-${randomBytes(4).toString('hex')}`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const seed = join(dir, 'fixture.json');
  writeFileSync(seed, JSON.stringify(benchFixture(members)));
  const stack = await start('stack', join(here, 'stack-server.mjs'), {
    SERVER_MAIN: serverMain,
    SEED_FILE: seed,
    SESSION_SECRET: secret,
    NODE_ENV: 'production',
    MAIL_OUTBOX_DIR: join(dir, 'outbox'),
    LOG_LEVEL: 'info',
    MUTATIONS_PER_MINUTE: '100000000',
  }, execPath);
  const sessions = new JwtSessionAuthenticator(secret);
  const csrf = new CsrfTokens(secret);
  const sessionId = randomBytes(12).toString('base64url');
  const auth = { cookie: `partner_session=${sessions.issue({ userId: 'm000000', sessionId }, 86_400)}` };
  const membersPath = '/api/partner-team/members?sort=name&limit=25';
  const page = await (await fetch(stack.url + membersPath, { headers: auth })).text();
  const pageFile = join(dir, 'page.json');
  writeFileSync(pageFile, page);
  const raw = await start('raw', join(here, 'raw-baseline.mjs'), { PAGE_FILE: pageFile }, execPath);
  const express = await start('express', join(here, 'express-baseline.mjs'), { PAGE_FILE: pageFile }, execPath);
  // Parity: the three serve the same bytes.
  for (const target of [raw, express]) {
    const body = await (await fetch(target.url + membersPath, { headers: auth })).text();
    if (body !== page) throw new Error(`parity check failed: ${target.name} does not serve the stack's member page byte for byte`);
  }
  return { stack, raw, express, auth, csrfToken: csrf.tokenFor(sessionId), membersPath, pageBytes: Buffer.byteLength(page), dir };
}

/** The request scenarios: three baselines-or-stack page runs, and the stack's other request types. */
export function scenarios(t) {
  let next = 0;
  return [
    { name: 'raw node:http', target: t.raw, path: t.membersPath },
    { name: 'Express 5 + middleware', target: t.express, path: t.membersPath },
    { name: 'GET /members (stack)', target: t.stack, path: t.membersPath },
    { name: `GET /members?q=${terms.common} (stack)`, target: t.stack, path: `/api/partner-team/members?q=${terms.common}&limit=25` },
    { name: 'GET /me (stack)', target: t.stack, path: '/api/partner-team/me' },
    {
      name: 'PATCH role toggle (stack)',
      target: t.stack,
      path: '/api/partner-team/members/m000001',
      // Request n sets member 1 + n % 500 to the role it does not have: consecutive requests for
      // one member are 500 apart (long completed with 10 in flight), so every request is a change.
      requests: [
        {
          setupRequest: (req) => {
            const n = next++;
            const user = `m${String(1 + (n % 500)).padStart(6, '0')}`;
            const role = Math.floor(n / 500) % 2 === 0 ? 'partner_admin' : 'partner_user';
            return { ...req, method: 'PATCH', path: `/api/partner-team/members/${user}`, body: JSON.stringify({ role }) };
          },
        },
      ],
      headers: { 'x-csrf-token': t.csrfToken, 'content-type': 'application/json' },
    },
  ];
}

/** One measured window: autocannon from this process, CPU of the target process from /proc. */
export async function measure(scenario, auth, seconds, connections = 10) {
  const pid = scenario.target.child.pid;
  const cpu0 = cpuMicros(pid);
  const jiffies0 = cpuJiffies();
  const result = await autocannon({
    url: scenario.target.url + scenario.path,
    connections,
    duration: seconds,
    headers: { ...auth, ...(scenario.headers ?? {}) },
    ...(scenario.requests === undefined ? {} : { requests: scenario.requests }),
  });
  const cpu1 = cpuMicros(pid);
  const jiffies1 = cpuJiffies();
  const requests = result.requests.total;
  const non2xx = result.non2xx + result.errors + result.timeouts;
  if (requests === 0 || non2xx > 0) throw new Error(`${scenario.name}: ${requests} requests, ${non2xx} not 2xx`);
  return {
    reqPerSec: requests / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPerRequest: (cpu1 - cpu0) / requests,
    steal: jiffies0 && jiffies1 ? (jiffies1.steal - jiffies0.steal) / Math.max(1, jiffies1.total - jiffies0.total) : Number.NaN,
  };
}

export async function stopTargets(t) {
  await Promise.all([t.stack.stop(), t.raw.stop(), t.express.stop()]);
}
