// Part 1: HTTP cost of our whole stack against raw node:http and a plain Express 5 baseline,
// measured side by side in interleaved rounds (the machines are shared and noisy).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { CsrfTokens, JwtSessionAuthenticator } from '@partner-team/express';
import { benchFixture, terms } from './roster-data.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const secret = 'benchmark-session-secret-of-32-characters';

const ticksPerSecond = 100; // USER_HZ on Linux
export function cpuMicros(pid) {
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

// BENCH_PORTS=<from>-<to> (on a shared machine): the forked servers listen on ports of that range,
// taken in turn; unset, each listens on any free port (PORT=0).
const portRange = /^(\d+)-(\d+)$/.exec(process.env.BENCH_PORTS ?? '');
let portsTaken = 0;
function nextPort() {
  if (portRange === null) return '0';
  const [from, to] = [Number(portRange[1]), Number(portRange[2])];
  return String(from + (portsTaken++ % (to - from + 1)));
}

/**
 * Forks a server script that reports `{ port, ... }` over IPC once listening (`info` is that
 * message). The script gets PATH and PORT (see BENCH_PORTS) besides `env`.
 */
export async function startProcess(name, script, env, execPath = process.execPath, timeoutMs = 30_000) {
  const child = fork(script, [], { execArgv: process.env.PROFILE && (name === 'stack' || name === 'express') ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}/${name}`] : [], env: { PATH: process.env.PATH, PORT: nextPort(), ...env }, execPath, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr}`)), timeoutMs);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${stderr}`)));
  });
  const stop = () => new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', r);
    child.kill();
  });
  return { name, child, info, url: `http://127.0.0.1:${info.port}`, stop };
}

const members = 1000;
const actorUserId = 'm000000'; // the fixture's partner_admin
const patchedMembers = 500;
/** The measured member page: the first 25 of the organisation's members, sorted by name. */
export const membersPath = '/api/partner-team/members?sort=name&limit=25';

/** The environment the bench gives the bundled server (stack-server.mjs) besides its store. */
export function stackEnv(dir) {
  return { SESSION_SECRET: secret, NODE_ENV: 'production', MAIL_OUTBOX_DIR: join(dir, 'outbox'), LOG_LEVEL: 'info', MUTATIONS_PER_MINUTE: '100000000' };
}

/** A session of the fixture's admin: its cookie header, and the session id CSRF tokens are bound to. */
export function adminSession() {
  const sessionId = randomBytes(12).toString('base64url');
  return { auth: { cookie: `partner_session=${new JwtSessionAuthenticator(secret).issue({ userId: actorUserId, sessionId }, 86_400)}` }, sessionId };
}

/**
 * Starts the bundled server (in-memory, 1,000 members) and both baselines serving its member page.
 * The returned targets hold that page and the members the PATCH scenario may change: members who
 * are not on it, so the stack keeps serving the byte-identical page the baselines serve
 * (`checkParity`).
 */
export async function startTargets(execPath = process.execPath) {
  const dir = mkdtempSync(join(tmpdir(), 'partner-team-bench-'));
  const started = [];
  try {
    const seed = join(dir, 'fixture.json');
    const fixture = benchFixture(members);
    writeFileSync(seed, JSON.stringify(fixture));
    const env = { SEED_FILE: seed, ...stackEnv(dir) };
    const stack = await startProcess('stack', join(here, 'stack-server.mjs'), { ...env, ACTIVITY_RECORDING: 'off' }, execPath);
    started.push(stack);
    // The same stack recording last activity (the default: at most one write per user per minute).
    const stackActivity = await startProcess('stack-activity', join(here, 'stack-server.mjs'), { ...env, ACTIVITY_RECORDING: 'on' }, execPath);
    started.push(stackActivity);
    const csrf = new CsrfTokens(secret);
    const { auth, sessionId } = adminSession();
    const page = await fetchPage(stack, membersPath, auth);
    const onPage = new Set(JSON.parse(page).items.map((item) => item.userId));
    const patchUserIds = fixture.users.map((u) => u.id).filter((id) => id !== actorUserId && !onPage.has(id)).slice(0, patchedMembers);
    if (onPage.size === 0 || patchUserIds.length < patchedMembers) {
      throw new Error(`the stack's member page lists ${onPage.size} members, leaving ${patchUserIds.length} of the ${patchedMembers} the PATCH scenario needs`);
    }
    const pageFile = join(dir, 'page.json');
    writeFileSync(pageFile, page);
    const raw = await startProcess('raw', join(here, 'raw-baseline.mjs'), { PAGE_FILE: pageFile }, execPath);
    started.push(raw);
    const express = await startProcess('express', join(here, 'express-baseline.mjs'), { PAGE_FILE: pageFile }, execPath);
    started.push(express);
    // Parity: the three serve the same bytes. Raw echoes page.json, so its check only proves that
    // it is up and serves that file unaltered; the meaningful one is Express's, which parses the page
    // and serialises it again with res.json.
    for (const target of [raw, express]) {
      const body = await (await fetch(target.url + membersPath, { headers: auth })).text();
      if (body !== page) throw new Error(`parity check failed: ${target.name} does not serve the stack's member page byte for byte`);
    }
    return { stack, stackActivity, raw, express, auth, csrfToken: csrf.tokenFor(sessionId), membersPath, page, pageBytes: Buffer.byteLength(page), patchUserIds, dir };
  } catch (error) {
    await Promise.all(started.map((target) => target.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export async function fetchPage(target, path, headers) {
  const response = await fetch(target.url + path, { headers });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${target.name}: GET ${path} answered ${response.status}: ${body.slice(0, 500)}`);
  return body;
}

/**
 * Throws unless the stack still serves the member page byte for byte as at start (and as the
 * baselines serve it): call after the measured windows, which include the PATCH scenario.
 */
export async function checkParity(t) {
  const now = await fetchPage(t.stack, t.membersPath, t.auth);
  if (now !== t.page) {
    throw new Error(`parity check failed: after the measured rounds the stack no longer serves the member page the baselines serve (${Buffer.byteLength(now)} bytes, was ${t.pageBytes})`);
  }
}

/**
 * The request scenarios: three baselines-or-stack page runs, and the stack's other request types.
 * The PATCH scenario changes only `t.patchUserIds` (from startTargets: members not on the page).
 */
export function scenarios(t) {
  const users = t.patchUserIds;
  let next = 0;
  return [
    { name: 'raw node:http', target: t.raw, path: t.membersPath },
    { name: 'Express 5 + middleware', target: t.express, path: t.membersPath },
    { name: 'GET /members (stack)', target: t.stack, path: t.membersPath },
    { name: 'GET /members (stack, activity recording on)', target: t.stackActivity, path: t.membersPath },
    { name: `GET /members?q=${terms.common} (stack)`, target: t.stack, path: `/api/partner-team/members?q=${terms.common}&limit=25` },
    { name: 'GET /me (stack)', target: t.stack, path: '/api/partner-team/me' },
    {
      name: 'PATCH role toggle (stack)',
      target: t.stack,
      path: `/api/partner-team/members/${users[0]}`,
      // Request n sets member users[n % 500] to the role it does not have (they all start as
      // partner_user): consecutive requests for one member are 500 apart (long completed with 10 in
      // flight), so every request is a change.
      requests: [
        {
          setupRequest: (req) => {
            const n = next++;
            const user = users[n % users.length];
            const role = Math.floor(n / users.length) % 2 === 0 ? 'partner_admin' : 'partner_user';
            return { ...req, method: 'PATCH', path: `/api/partner-team/members/${user}`, body: JSON.stringify({ role }) };
          },
        },
      ],
      headers: { 'x-csrf-token': t.csrfToken, 'content-type': 'application/json' },
    },
  ];
}

/**
 * One measured window: autocannon from this process, CPU of the target process from /proc, and of
 * `scenario.dbPid` (a database server) when given.
 */
export async function measure(scenario, auth, seconds, connections = 10) {
  const pid = scenario.target.child.pid;
  const cpu0 = cpuMicros(pid);
  const db0 = scenario.dbPid === undefined ? Number.NaN : cpuMicros(scenario.dbPid);
  const jiffies0 = cpuJiffies();
  const result = await autocannon({
    url: scenario.target.url + scenario.path,
    connections,
    duration: seconds,
    headers: { ...auth, ...(scenario.headers ?? {}) },
    ...(scenario.requests === undefined ? {} : { requests: scenario.requests }),
  });
  const cpu1 = cpuMicros(pid);
  const db1 = scenario.dbPid === undefined ? Number.NaN : cpuMicros(scenario.dbPid);
  const jiffies1 = cpuJiffies();
  const requests = result.requests.total;
  const non2xx = result.non2xx + result.errors + result.timeouts;
  if (requests === 0 || non2xx > 0) throw new Error(`${scenario.name}: ${requests} requests, ${non2xx} not 2xx`);
  return {
    reqPerSec: requests / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPerRequest: (cpu1 - cpu0) / requests,
    dbCpuPerRequest: (db1 - db0) / requests,
    steal: jiffies0 && jiffies1 ? (jiffies1.steal - jiffies0.steal) / Math.max(1, jiffies1.total - jiffies0.total) : Number.NaN,
  };
}

export async function stopTargets(t) {
  try {
    await Promise.all([t.stack.stop(), t.stackActivity.stop(), t.raw.stop(), t.express.stop()]);
  } finally {
    rmSync(t.dir, { recursive: true, force: true });
  }
}
