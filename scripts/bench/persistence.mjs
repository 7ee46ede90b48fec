// Part 4: persistence under sustained use, on the MongoDB-compatible server the run uses (FerretDB
// under `npm run bench`). Every figure compares measurements of the same run:
//   history   — request costs after 20 and after 2,000 entries in one organisation;
//   organisations — the same request costs with 1 and with 1,000 organisations in the database;
//   team size — PATCH and GET /members at 100, 1,000 and 10,000 members, with the bytes a PATCH
//               writes and the store's growth per PATCH;
//   loading   — the fixture loader on 10,000 members;
//   idle      — what two idle server processes cost the store.
// Requests go through the bundled server (forked, production configuration) over HTTP; the
// organisation is loaded and changed "from another process" through this process's own adapter.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPartnerTeam, persistencePortsOf } from '@partner-team/core';
import { CsrfTokens, JwtSessionAuthenticator } from '@partner-team/express';
import { MongoPersistence } from '@partner-team/mongodb';
import { RandomIds, Sha256InvitationTokens, SystemClock } from '@partner-team/node';
import { BSON } from 'mongodb';
import { cpuMicros, startProcess } from './http.mjs';
import { benchFixture, person } from './roster-data.mjs';
import { median } from './scale.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const secret = 'benchmark-session-secret-of-32-characters';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const admin = 'm000000';
const outsider = 'outsider';

function databaseUri(base, name) {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The pid of the FerretDB scripts/ferretdb.sh started for this URI's port, if it did. */
function ferretPid(uri) {
  try {
    return Number(readFileSync(join(root, `.cache/ferretdb-run/${new URL(uri).port}/pid`), 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** An organisation of `size` members (m000000 its admin), and one outsider, loaded through the public store API. */
async function load(store, size) {
  const people = Array.from({ length: size }, (_, n) => person(n));
  await store.users.upsert([...people, { id: outsider, name: 'Out Sider', email: 'outsider@partner.example', mfaEnabled: false, lastActiveAt: null }]);
  await store.createOrganisation({
    id: 'bench',
    name: 'Bench Partners',
    status: 'active',
    bootstrapped: true,
    invitationsEnabled: true,
    invitations: [],
    memberships: people.map((p, n) => ({ userId: p.id, role: n === 0 ? 'partner_admin' : 'partner_user', joinedAt: new Date('2026-01-01T00:00:00Z') })),
  });
}

function team(store) {
  return createPartnerTeam({ ...persistencePortsOf(store), clock: new SystemClock(), ids: new RandomIds(), tokens: new Sha256InvitationTokens(), notifier: { deliver: async () => {} }, logger: quiet });
}

/** Adds entries to the organisation by toggling a member's role `count` times (as another process would). */
async function addEntries(partnerTeam, count, member = 'm000001') {
  for (let n = 0; n < count; n += 1) {
    const record = await partnerTeam.changeMemberRole.execute({ actorUserId: admin, targetUserId: member, role: n % 2 === 0 ? 'partner_admin' : 'partner_user' });
    if (record.userId !== member) throw new Error('unexpected answer');
  }
}

async function startServer(uri) {
  const dir = mkdtempSync(join(tmpdir(), 'partner-team-bench-db-'));
  const server = await startProcess('stack', join(here, 'stack-server.mjs'), {
    MONGODB_URI: uri,
    SESSION_SECRET: secret,
    NODE_ENV: 'production',
    MAIL_OUTBOX_DIR: join(dir, 'outbox'),
    LOG_LEVEL: 'warn',
    MUTATIONS_PER_MINUTE: '100000000',
  });
  return { ...server, stop: async () => { await server.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

/** A signed-in client of the server for `userId`: cookie and CSRF token. */
function client(server, userId) {
  const sessionId = randomBytes(12).toString('base64url');
  const headers = { cookie: `partner_session=${new JwtSessionAuthenticator(secret).issue({ userId, sessionId }, 86_400)}`, 'x-csrf-token': new CsrfTokens(secret).tokenFor(sessionId) };
  return async (method, path, body) => {
    const response = await fetch(`${server.url}/api/partner-team${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    await response.arrayBuffer();
    return response.status;
  };
}

/**
 * `runs` sequential requests after `warmup` unmeasured ones: the median latency, and the CPU per
 * request of the server and of the store (when its pid is known).
 */
async function timed(send, expectStatus, { runs, warmup, serverPid, storePid }) {
  for (let n = 0; n < warmup; n += 1) await send(n);
  const latencies = [];
  const server0 = cpuMicros(serverPid);
  const store0 = storePid === undefined ? Number.NaN : cpuMicros(storePid);
  for (let n = 0; n < runs; n += 1) {
    const t0 = performance.now();
    const status = await send(warmup + n);
    latencies.push(performance.now() - t0);
    if (status !== expectStatus) throw new Error(`answered ${status}, expected ${expectStatus}`);
  }
  return {
    ms: median(latencies),
    serverCpu: (cpuMicros(serverPid) - server0) / runs,
    storeCpu: storePid === undefined ? Number.NaN : (cpuMicros(storePid) - store0) / runs,
  };
}

/** The four request types of the history criterion, measured once. */
async function historyRound(server, options) {
  const asAdmin = client(server, admin);
  const asOutsider = client(server, outsider);
  const shared = { ...options, serverPid: server.child.pid };
  return {
    'GET /members': await timed(() => asAdmin('GET', '/members?limit=25'), 200, shared),
    'GET /me': await timed(() => asAdmin('GET', '/me'), 200, shared),
    PATCH: await timed((n) => asAdmin('PATCH', '/members/m000002', { role: n % 2 === 0 ? 'partner_admin' : 'partner_user' }), 200, shared),
    'POST /invitations/accept (unknown token)': await timed(() => asOutsider('POST', '/invitations/accept', { token: randomBytes(32).toString('base64url') }), 404, shared),
  };
}

/** Every document's BSON size in the database: what the store holds. */
async function storeBytes(store) {
  let total = 0;
  for (const { name } of await store.db.listCollections({}, { nameOnly: true }).toArray()) {
    for await (const doc of store.db.collection(name).find({})) total += BSON.calculateObjectSize(doc);
  }
  return total;
}

/** Bytes of every document a store call sends to be written (inserts, updates, replacements). */
function writeMeter(store) {
  let bytes = 0;
  store.client.on('commandStarted', (event) => {
    const c = event.command;
    if (event.commandName === 'insert') for (const d of c.documents ?? []) bytes += BSON.calculateObjectSize(d);
    if (event.commandName === 'update') for (const u of c.updates ?? []) bytes += BSON.calculateObjectSize(u.u ?? {});
  });
  return { read: () => bytes };
}

export async function runPersistence(baseUri, { smoke, log }) {
  const storePid = ferretPid(baseUri);
  const sizes = smoke ? [100, 1_000] : [100, 1_000, 10_000];
  const history = smoke ? [20, 100] : [20, 2_000];
  const runs = smoke ? 20 : 200;
  const warmup = smoke ? 5 : 30;
  const idleSeconds = smoke ? 5 : 60;
  const loaderMembers = smoke ? 1_000 : 10_000;
  const organisations = smoke ? 100 : 1_000;
  const result = { history: {}, organisations: undefined, sizes: [], loader: undefined, idle: undefined, storeMeasured: storePid !== undefined };

  // History: the same organisation after `history[0]` and after `history[1]` entries.
  {
    const uri = databaseUri(baseUri, `pt_bench_history_${randomBytes(3).toString('hex')}`);
    const store = await MongoPersistence.open({ uri, logger: quiet });
    const server = await startServer(uri);
    try {
      await load(store, 100);
      const partnerTeam = team(store);
      for (const [n, entries] of history.entries()) {
        const have = (await store.organisations.load('bench')).version;
        await addEntries(partnerTeam, entries - have);
        const round = await historyRound(server, { runs, warmup, storePid });
        // The PATCHes measured added entries too: say how many the organisation really had.
        result.history[n === 0 ? 'early' : 'late'] = { entries, after: (await store.organisations.load('bench')).version, round };
        log(`  history: measured after ${entries} entries`);
      }
    } finally {
      await server.stop();
      await store.db.dropDatabase();
      await store.close();
    }
  }

  // Organisations: the same requests with the bench organisation alone, then beside `organisations - 1`
  // others (three members and two more entries each).
  {
    const uri = databaseUri(baseUri, `pt_bench_orgs_${randomBytes(3).toString('hex')}`);
    const store = await MongoPersistence.open({ uri, logger: quiet });
    const server = await startServer(uri);
    try {
      await load(store, 100);
      const alone = await historyRound(server, { runs, warmup, storePid });
      const others = Array.from({ length: organisations - 1 }, (_, k) => k);
      const people = others.flatMap((k) => [0, 1, 2].map((j) => ({ id: `o${k}u${j}`, name: `Other ${k} ${j}`, email: `o${k}u${j}@other.example`, mfaEnabled: false, lastActiveAt: null })));
      for (let i = 0; i < people.length; i += 1000) await store.users.upsert(people.slice(i, i + 1000));
      const partnerTeam = team(store);
      for (const k of others) {
        await store.createOrganisation({
          id: `other${k}`,
          name: `Other ${k}`,
          status: 'active',
          bootstrapped: true,
          invitationsEnabled: true,
          invitations: [],
          memberships: [0, 1, 2].map((j) => ({ userId: `o${k}u${j}`, role: j === 0 ? 'partner_admin' : 'partner_user', joinedAt: new Date('2026-01-01T00:00:00Z') })),
        });
        for (const role of ['partner_admin', 'partner_user']) await partnerTeam.changeMemberRole.execute({ actorUserId: `o${k}u0`, targetUserId: `o${k}u1`, role });
      }
      const beside = await historyRound(server, { runs, warmup, storePid });
      result.organisations = { count: organisations, alone, beside };
      log(`  organisations: measured beside ${organisations.toLocaleString('en')}`);
    } finally {
      await server.stop();
      await store.db.dropDatabase();
      await store.close();
    }
  }

  // Team size: PATCH and GET /members, bytes written and store growth per PATCH.
  for (const size of sizes) {
    const uri = databaseUri(baseUri, `pt_bench_size_${size}_${randomBytes(3).toString('hex')}`);
    const store = await MongoPersistence.open({ uri, logger: quiet, clientOptions: { monitorCommands: true } });
    const server = await startServer(uri);
    try {
      await load(store, size);
      const partnerTeam = team(store);
      // Bytes: PATCHes through this process's adapter, every write counted, snapshots included.
      const meter = writeMeter(store);
      const patches = smoke ? 50 : 400;
      const before = await storeBytes(store);
      const written0 = meter.read();
      await addEntries(partnerTeam, patches, 'm000003');
      await store.settle();
      const writtenPerPatch = (meter.read() - written0) / patches;
      const growthPerPatch = ((await storeBytes(store)) - before) / patches;
      const asAdmin = client(server, admin);
      const shared = { runs, warmup, serverPid: server.child.pid, storePid };
      const patch = await timed((n) => asAdmin('PATCH', '/members/m000002', { role: n % 2 === 0 ? 'partner_admin' : 'partner_user' }), 200, shared);
      const page = await timed(() => asAdmin('GET', '/members?limit=25'), 200, shared);
      result.sizes.push({ size, patch, page, writtenPerPatch, growthPerPatch });
      log(`  team size ${size.toLocaleString('en')}: measured`);
    } finally {
      await server.stop();
      await store.db.dropDatabase();
      await store.close();
    }
  }

  // Loading: the fixture loader, on an empty database, with `loaderMembers` members.
  {
    const dir = mkdtempSync(join(tmpdir(), 'partner-team-bench-load-'));
    const uri = databaseUri(baseUri, `pt_bench_load_${randomBytes(3).toString('hex')}`);
    try {
      const file = join(dir, 'fixture.json');
      writeFileSync(file, JSON.stringify(benchFixture(loaderMembers)));
      const t0 = performance.now();
      execFileSync(process.execPath, [join(root, 'scripts/load-fixture.mjs'), file], { env: { ...process.env, MONGODB_URI: uri, LOG_LEVEL: 'error' }, stdio: 'ignore', timeout: 600_000 });
      result.loader = { members: loaderMembers, seconds: (performance.now() - t0) / 1000 };
      log(`  loader: ${loaderMembers.toLocaleString('en')} members loaded`);
    } finally {
      const store = await MongoPersistence.open({ uri, logger: quiet });
      await store.db.dropDatabase();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // Idle: two server processes with a loaded organisation, doing nothing.
  if (storePid !== undefined) {
    const uri = databaseUri(baseUri, `pt_bench_idle_${randomBytes(3).toString('hex')}`);
    const store = await MongoPersistence.open({ uri, logger: quiet });
    await load(store, 100);
    const servers = [await startServer(uri), await startServer(uri)];
    try {
      await client(servers[0], admin)('GET', '/members');
      await client(servers[1], admin)('GET', '/members');
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const cpu0 = cpuMicros(storePid);
      const t0 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
      result.idle = { seconds: idleSeconds, cores: (cpuMicros(storePid) - cpu0) / 1e6 / ((performance.now() - t0) / 1000) };
      log(`  idle: measured over ${idleSeconds} s`);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await store.db.dropDatabase();
      await store.close();
    }
  }
  return result;
}

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const verdict = (ok) => (ok ? 'met' : '**not met**');

/** The tables and target lines of part 4. */
export function persistenceReport(r) {
  const early = r.history.early.round;
  const late = r.history.late.round;
  const historyTable = [
    `| request | ms after ${r.history.early.entries} entries | ms after ${r.history.late.entries.toLocaleString('en')} | later/earlier | store CPU µs/req early → late | server CPU µs/req early → late |`,
    '|---|---:|---:|---:|---:|---:|',
    ...Object.keys(early).map((name) => `| ${name} | ${fmt(early[name].ms, 2)} | ${fmt(late[name].ms, 2)} | ${fmt(late[name].ms / early[name].ms, 2)} | ${fmt(early[name].storeCpu)} → ${fmt(late[name].storeCpu)} | ${fmt(early[name].serverCpu)} → ${fmt(late[name].serverCpu)} |`),
  ];
  const organisationsTable = [
    `| request | ms, 1 organisation | ms, ${r.organisations.count.toLocaleString('en')} organisations | ratio | store CPU µs/req 1 → ${r.organisations.count.toLocaleString('en')} |`,
    '|---|---:|---:|---:|---:|',
    ...Object.keys(r.organisations.alone).map((name) => {
      const a = r.organisations.alone[name];
      const b = r.organisations.beside[name];
      return `| ${name} | ${fmt(a.ms, 2)} | ${fmt(b.ms, 2)} | ${fmt(b.ms / a.ms, 2)} | ${fmt(a.storeCpu)} → ${fmt(b.storeCpu)} |`;
    }),
  ];
  const smallest = r.sizes[0];
  const sizeTable = [
    '| members | PATCH ms | PATCH vs smallest | GET /members ms | store CPU µs per PATCH | bytes written per PATCH | store growth per PATCH (bytes) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...r.sizes.map((s) => `| ${s.size.toLocaleString('en')} | ${fmt(s.patch.ms, 2)} | ${fmt(s.patch.ms / smallest.patch.ms, 2)} | ${fmt(s.page.ms, 2)} | ${fmt(s.patch.storeCpu)} | ${fmt(s.writtenPerPatch)} | ${fmt(s.growthPerPatch)} |`),
  ];
  const worstHistory = Math.max(...Object.keys(early).map((name) => late[name].ms / early[name].ms));
  const largest = r.sizes.at(-1);
  const targets = [
    `- History: the later/earlier ratio of every request type ≤ 1.5 after ${r.history.early.entries} vs ${r.history.late.entries.toLocaleString('en')} entries: worst ${fmt(worstHistory, 2)} — ${verdict(worstHistory <= 1.5)}.`,
    `- Team size: PATCH at ${largest.size.toLocaleString('en')} members ≤ 2× its cost at ${smallest.size.toLocaleString('en')}: ${fmt(largest.patch.ms / smallest.patch.ms, 2)}× — ${verdict(largest.patch.ms / smallest.patch.ms <= 2)}; bytes written per PATCH ${r.sizes.map((s) => fmt(s.writtenPerPatch)).join(' / ')}, store growth per PATCH ${r.sizes.map((s) => fmt(s.growthPerPatch)).join(' / ')} (by size).`,
    `- Loading: ${r.loader.members.toLocaleString('en')} members with the fixture loader in ${fmt(r.loader.seconds, 1)} s (≤ 60) — ${verdict(r.loader.seconds <= 60)}.`,
    r.idle === undefined
      ? '- Idle: not measured (the store was given from outside, its process unknown).'
      : `- Idle: two idle server processes cost the store ${fmt(r.idle.cores, 4)} cores over ${r.idle.seconds} s (< 0.02) — ${verdict(r.idle.cores < 0.02)}.`,
  ];
  return { historyTable, organisationsTable, sizeTable, targets };
}
