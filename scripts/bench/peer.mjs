// The peer row of `npm run bench` (never in --smoke runs): our GET /members against better-auth's
// organization plugin `list-members`, listing the same 1,000 people, measured in interleaved rounds in
// one run (a) with both in memory and (b) with both on the same FerretDB (MONGODB_URI). better-auth is
// a dependency of scripts/bench/peer/ only (its own package.json and lock, not a workspace), which
// scripts/bench.sh installs for full runs; `npm ci` at the root and `npm test` never install it.
//
//   npm run bench                       the whole benchmark, this section included (3 rounds of 5 s)
//   npm run bench -- --no-peer          without it (and without installing scripts/bench/peer)
//   npm run bench -- --peer-only [--rounds=3] [--seconds=5] [--warmup=2]
//                                       this section alone; rewrites only its part of docs/benchmarks.md
//   node scripts/bench/peer.mjs [...]   the same, given MONGODB_URI and scripts/bench/peer installed
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoPersistence } from '@partner-team/mongodb';
import { RandomIds, Sha256InvitationTokens, SystemClock } from '@partner-team/node';
import { loadFixtureIntoMongo, readFixture } from '@partner-team/server';
import { MemoryLogger } from '@partner-team/testing';
import { MongoClient } from 'mongodb';
import { adminSession, cpuMicros, fetchPage, measure, membersPath, stackEnv, startProcess } from './http.mjs';
import { benchFixture } from './roster-data.mjs';
import { median } from './scale.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const peerDir = join(here, 'peer');
const members = 1000;
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const range = (xs, digits = 2) => `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;
const verdict = (ok) => (ok ? 'met' : '**not met**');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The installed better-auth version under scripts/bench/peer (undefined when not installed). */
function installedPeerVersion() {
  try {
    return JSON.parse(readFileSync(join(peerDir, 'node_modules/better-auth/package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * The pid of the FerretDB that scripts/ferretdb.sh started for this URI's port (npm run bench starts
 * one unless MONGODB_URI is given), or why its CPU cannot be measured.
 */
function databasePid(uri) {
  const { hostname, port } = new URL(uri);
  const file = join(root, `.cache/ferretdb-run/${port}/pid`);
  try {
    if (!['127.0.0.1', 'localhost'].includes(hostname) || !existsSync(file)) throw new Error('MONGODB_URI was given from outside');
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (!readFileSync(`/proc/${pid}/comm`, 'utf8').includes('ferretdb')) throw new Error(`${file} names process ${pid}, which is not FerretDB`);
    return { pid };
  } catch (error) {
    return { note: `The database's CPU is not measured: ${error instanceof Error ? error.message : error} (it is when scripts/ferretdb.sh started the FerretDB on this port, as npm run bench does).` };
  }
}

/** `base` with a fresh database name. */
function databaseUri(base, prefix) {
  const url = new URL(base);
  url.pathname = `/${prefix}_${randomBytes(4).toString('hex')}`;
  return url.toString();
}

// Waits (at most 60 s) until each process uses under 5 % of a core over 0.5 s: after a window the
// database and the server go on with the requests autocannon abandoned, which would otherwise be
// counted in the next window (the FerretDB setting's requests take hundreds of ms).
async function settle(pids) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const before = pids.map(cpuMicros);
    await sleep(500);
    if (pids.every((pid, i) => !(cpuMicros(pid) - before[i] >= 25_000)) || Date.now() > deadline) return;
  }
}

function describePage(json, bytes, side) {
  const list = side === 'ours' ? json.items : json.members;
  const order = side === 'ours' ? 'sorted by name' : 'store order (no sort)';
  return { listed: list.length, text: `${list.length} of ${members.toLocaleString('en')}, ${order}; ${Object.keys(json).join(' + ')}; ${bytes} B` };
}

/** Both pages list 25 people of the same 1,000 (name and email as in roster-data.mjs). */
function checkSamePeople(name, people, list) {
  const known = new Map(people.map((p) => [p.email, p.name]));
  const strangers = list.filter((p) => known.get(p.email) !== p.name);
  if (list.length !== 25 || strangers.length > 0) throw new Error(`${name}: lists ${list.length} members, ${strangers.length} of them not among the bench's 1,000 people`);
}

/**
 * Measures the peer section and returns its console/markdown lines and target lines. In smoke runs,
 * or when scripts/bench/peer is not installed, it measures nothing and says so.
 */
export async function runPeer({ smoke = false, rounds = 3, seconds = 5, warmupSeconds = 2, log = (line) => process.stdout.write(`${line ?? ''}\n`) } = {}) {
  const version = installedPeerVersion();
  const title = `## Peer — better-auth ${version ?? '1.7'} organization plugin, list-members`;
  const heading = `${title} (${rounds} interleaved rounds of ${seconds} s, 10 connections, 1,000 members)`;
  const skip = (why) => {
    log(`\n${title}\n  skipped: ${why}`);
    return { ran: false, targets: [`- Peer (better-auth list-members): not measured — ${why}.`], markdown: [title, '', `Not measured in this run: ${why}.`, ''] };
  };
  if (smoke) return skip('the peer row is skipped in smoke runs (npm test never installs or runs better-auth)');
  if (process.argv.includes('--no-peer')) return skip('--no-peer was given');
  if (version === undefined) return skip('scripts/bench/peer is not installed (npm run bench installs it; or npm ci --prefix scripts/bench/peer)');
  const baseUri = process.env.MONGODB_URI;
  if (baseUri === undefined || baseUri === '') return skip('MONGODB_URI is not set (npm run bench starts FerretDB)');

  log(`\n${heading}`);
  const db = databasePid(baseUri);
  if (db.note !== undefined) log(`  ${db.note}`);
  const dir = mkdtempSync(join(tmpdir(), 'partner-team-peer-'));
  const started = [];
  const client = new MongoClient(baseUri);
  const oursUri = databaseUri(baseUri, 'pt_bench_peer');
  const theirsDb = new URL(databaseUri(baseUri, 'peer_better_auth')).pathname.slice(1);
  try {
    await client.connect();
    const build = await client.db('admin').command({ buildInfo: 1 });
    const store = typeof build.ferretdbVersion === 'string' ? 'FerretDB' : 'MongoDB';
    const storeVersion = build.ferretdbVersion ?? build.version;
    const fixture = benchFixture(members);
    const seed = join(dir, 'fixture.json');
    writeFileSync(seed, JSON.stringify(fixture));
    const ours = adminSession().auth;
    const peerScript = join(peerDir, 'server.mjs');
    const stackScript = join(here, 'stack-server.mjs');
    const track = async (promise) => {
      const target = await promise;
      started.push(target);
      return target;
    };

    // (a) Both in memory: our bundled server seeded from the fixture file, as in part 1.
    const oursMemory = await track(startProcess('stack', stackScript, { SEED_FILE: seed, ...stackEnv(dir) }));
    const theirsMemory = await track(startProcess('peer-memory', peerScript, { NODE_ENV: 'production', PEER_ADAPTER: 'memory' }, process.execPath, 120_000));
    // (b) Both on the same database, each in its own fresh database: ours loaded through the fixture
    // loader (the store's public API), theirs seeded by its server while ours loads.
    const loaded = (async () => {
      const t0 = performance.now();
      const persistence = await MongoPersistence.open({ uri: oursUri, logger: new MemoryLogger() });
      try {
        await loadFixtureIntoMongo(persistence, await readFixture(seed), { tokens: new Sha256InvitationTokens(), ids: new RandomIds(), clock: new SystemClock() });
      } finally {
        await persistence.close();
      }
      return performance.now() - t0;
    })();
    const theirsDbStarted = track(startProcess('peer-mongodb', peerScript, { NODE_ENV: 'production', PEER_ADAPTER: 'mongodb', MONGODB_URI: baseUri, PEER_DB: theirsDb }, process.execPath, 600_000));
    const [oursLoadMs, theirsDatabase] = await Promise.all([loaded, theirsDbStarted]);
    const oursDatabase = await track(startProcess('stack-mongodb', stackScript, { MONGODB_URI: oursUri, ...stackEnv(dir) }, process.execPath, 120_000));
    log(`  loaded: ours ${fmt(oursLoadMs / 1000, 1)} s (loadFixtureIntoMongo), theirs in memory ${fmt(theirsMemory.info.seedMs / 1000, 1)} s and on ${store} ${fmt(theirsDatabase.info.seedMs / 1000, 1)} s (sign-up + createOrganization + 999 through its adapter)`);

    const setups = [
      { setting: 'memory', side: 'ours', target: oursMemory, path: membersPath, auth: ours },
      { setting: 'memory', side: 'theirs', target: theirsMemory, path: theirsMemory.info.path, auth: { cookie: theirsMemory.info.cookie } },
      { setting: 'database', side: 'ours', target: oursDatabase, path: membersPath, auth: ours, dbPid: db.pid },
      { setting: 'database', side: 'theirs', target: theirsDatabase, path: theirsDatabase.info.path, auth: { cookie: theirsDatabase.info.cookie }, dbPid: db.pid },
    ];
    for (const s of setups) {
      s.name = `${s.side === 'ours' ? 'ours GET /members' : 'better-auth list-members'} (${s.setting === 'memory' ? 'memory' : store})`;
      const body = await fetchPage(s.target, s.path, s.auth);
      const json = JSON.parse(body);
      checkSamePeople(s.name, fixture.users, s.side === 'ours' ? json.items : json.members.map((m) => m.user));
      s.page = describePage(json, Buffer.byteLength(body), s.side);
      s.samples = [];
    }
    const quiet = (s) => settle([s.target.child.pid, ...(s.dbPid === undefined ? [] : [s.dbPid])]);
    for (const s of setups) {
      await measure(s, s.auth, warmupSeconds);
      await quiet(s);
    }
    for (let round = 0; round < rounds; round += 1) {
      for (const s of setups) {
        s.samples.push(await measure(s, s.auth, seconds));
        await quiet(s);
      }
      log(`  round ${round + 1}/${rounds}: ${setups.map((s) => `${s.name} ${fmt(s.samples.at(-1).reqPerSec)} req/s`).join(', ')}`);
    }

    const row = (s) => ({
      name: s.name,
      page: s.page.text,
      reqPerSec: median(s.samples.map((m) => m.reqPerSec)),
      p50: median(s.samples.map((m) => m.p50)),
      p99: median(s.samples.map((m) => m.p99)),
      cpu: median(s.samples.map((m) => m.cpuPerRequest)),
      dbCpu: s.dbPid === undefined ? Number.NaN : median(s.samples.map((m) => m.dbCpuPerRequest)),
    });
    const compare = (setting) => {
      const [o, t] = ['ours', 'theirs'].map((side) => setups.find((s) => s.setting === setting && s.side === side));
      const [ro, rt] = [row(o), row(t)];
      return {
        ours: ro,
        theirs: rt,
        reqPerSec: ro.reqPerSec / rt.reqPerSec,
        perRound: o.samples.map((m, i) => m.reqPerSec / t.samples[i].reqPerSec),
        cpu: rt.cpu / ro.cpu,
        dbCpu: rt.dbCpu / ro.dbCpu,
      };
    };
    const memory = compare('memory');
    const database = compare('database');
    const table = [
      `| setting | request | page served | req/s | p50 ms | p99 ms | server CPU µs/req | ${store} CPU µs/req |`,
      '|---|---|---|---:|---:|---:|---:|---:|',
      ...[memory, database].flatMap((c) =>
        [c.ours, c.theirs].map((r) => `| ${c === memory ? 'in memory' : store} | ${r.name.replace(/ \(.*\)$/, '')} | ${r.page} | ${fmt(r.reqPerSec)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.cpu)} | ${c === memory ? '–' : fmt(r.dbCpu)} |`),
      ),
    ];
    const ratioLine = (c, label) =>
      `- ${label}: ours/theirs ${fmt(c.reqPerSec, 2)}× the requests per second (rounds ${range(c.perRound)}×); better-auth used ${fmt(c.cpu, 1)}× our server CPU per request${Number.isFinite(c.dbCpu) ? ` and ${fmt(c.dbCpu, 1)}× our ${store} CPU per request` : ''}.`;
    const ratios = [ratioLine(memory, 'In memory'), ratioLine(database, `On ${store}`)];
    table.forEach((l) => log(l));
    ratios.forEach((l) => log(l));
    const targets = [
      `- Peer, better-auth ${version} list-members on ${store}${store === 'FerretDB' ? '' : ' (the target is stated for FerretDB)'}: our GET /members served ${fmt(database.reqPerSec, 2)}× its requests per second (rounds ${range(database.perRound)}×) (≥ 2×) — ${verdict(database.reqPerSec >= 2)}.`,
      `- Peer, better-auth ${version} list-members in memory: ${fmt(memory.reqPerSec, 2)}× its requests per second (rounds ${range(memory.perRound)}×) (ahead, > 1×) — ${verdict(memory.reqPerSec > 1)}.`,
    ];
    const markdown = [
      heading,
      '',
      `Written on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}). Our bundled server (as in part 1: session cookie of the admin, \`GET ${membersPath}\`) against better-auth ${version} with its organization plugin (\`GET /api/auth/organization/list-members?limit=25\`, the admin's database session cookie, its rate limiter off), both holding one organisation of the same 1,000 people (scripts/bench/roster-data.mjs). In memory: our fixture-seeded in-memory store against better-auth's memory adapter. On ${store} (${storeVersion}): both on the same server, each in a fresh database — ours loaded through the fixture loader, theirs through sign-up, createOrganization and its adapter (scripts/bench/peer/server.mjs) — our server with \`MONGODB_URI\`, theirs on its MongoDB adapter (transactions off). ${db.note ?? `${store} CPU per request is the FerretDB process's CPU time over the window divided by the requests served.`} Every setup runs once per round, and rounds are interleaved; figures are medians over rounds, ratios are ours/theirs.`,
      '',
      ...table,
      '',
      ...ratios,
      '',
      '**What is not equal** (the rows measure each library as shipped; read them with this):',
      '',
      '- *Order and page.* Ours sorts the 1,000 by name and returns `userId, name, email, role, mfaEnabled, lastActiveAt` per member, a keyset cursor and the total. better-auth returns 25 member records in store order (no sort; it cannot sort by the user\'s name, which lives on another model; `sortBy=createdAt` cost the same in memory and about twice the FerretDB CPU in the investigation that preceded this row, whose notes are outside this repository) with a nested user and a `total` from a separate count. Offset paging only.',
      '- *Session and authorisation.* Ours verifies a stateless JWT cookie and checks the admin role. better-auth looks its session up in the database on every request (its `cookieCache` made no measurable difference in the investigation) and only checks membership.',
      `- *Stores.* better-auth's memory adapter is a development adapter that filters arrays row by row (three passes over 1,000 rows per request); ours is the purpose-built in-memory roster. Its server lists all 1,000 once after seeding, which put its in-memory cost in the faster of two states: without that call it used about 1.7× the CPU per request in a side-by-side check (probably V8 caching the hashes of the ids its \`in\` filter compares; see peer/server.mjs). On ${store}, better-auth reads everything from the database on every request (7 aggregate commands in 6 sequential round trips, counted in the investigation this row comes from; FerretDB 1.24 pushes down only \`_id\` equality, so its member and user filters scan), while ours reads one \`_id\` and serves the page from an in-process view, built during the warm-up (part 3 lists its commands). That difference is the design being compared, not a harness artifact.`,
      '- *Framework cost.* better-auth\'s handler rebuilds its router and converts Node ↔ Fetch on every request (about 760 µs of CPU for a bare `/ok` in the investigation). Ours writes one winston log line per request (to /dev/null, as in part 1); better-auth logs nothing per request.',
      '- *Rate limiting.* better-auth limits every route by default in production (100 requests per 10 s per IP), which would answer a one-address load test with 429s, so it is off; ours limits mutations only.',
      '- *Noise.* The machine is shared; absolute req/s moves a lot between runs. Read the ratios (and their per-round range) and the CPU per request.',
      '',
    ];
    return { ran: true, version, store, memory, database, targets, markdown };
  } finally {
    await Promise.all(started.map((t) => t.stop()));
    const cleanup = new MongoClient(baseUri);
    try {
      await cleanup.connect();
      await cleanup.db(theirsDb).dropDatabase();
      await cleanup.db(new URL(oursUri).pathname.slice(1)).dropDatabase();
    } catch (error) {
      log(`  could not drop the peer databases: ${error instanceof Error ? error.message : error}`);
    } finally {
      await cleanup.close();
      await client.close();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Replaces the peer section and the peer target lines of an existing docs/benchmarks.md (appends
 * them where absent), leaving every other part as the last full run wrote it.
 */
export function writePeerSection(path, peer) {
  const lines = existsSync(path) ? readFileSync(path, 'utf8').replace(/\n+$/, '').split('\n') : ['# Benchmarks', '', '## Targets', ''];
  const kept = lines.filter((l) => !l.startsWith('- Peer'));
  const targetsAt = kept.indexOf('## Targets');
  const targetsEnd = kept.findIndex((l, i) => i > targetsAt && l.startsWith('## '));
  let lastTarget = targetsAt;
  for (let i = targetsAt + 1; i < (targetsEnd < 0 ? kept.length : targetsEnd); i += 1) if (kept[i].startsWith('- ')) lastTarget = i;
  kept.splice(lastTarget + 1, 0, ...peer.targets);
  const from = kept.findIndex((l) => l.startsWith('## Peer'));
  const to = from < 0 ? -1 : kept.findIndex((l, i) => i > from && l.startsWith('## '));
  const section = peer.markdown[peer.markdown.length - 1] === '' ? peer.markdown.slice(0, -1) : peer.markdown;
  if (from < 0) kept.push('', ...section);
  else kept.splice(from, (to < 0 ? kept.length : to) - from, ...section, ...(to < 0 ? [] : ['']));
  writeFileSync(path, `${kept.join('\n')}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const option = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
  const peer = await runPeer({ rounds: option('rounds', 3), seconds: option('seconds', 5), warmupSeconds: option('warmup', 2) });
  process.stdout.write(`\n${peer.targets.join('\n')}\n`);
  if (peer.ran) {
    const path = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
    writePeerSection(path, peer);
    process.stdout.write(`\nwrote the peer section of ${path}\n`);
  }
}
