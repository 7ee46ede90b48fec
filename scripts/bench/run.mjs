#!/usr/bin/env node
// `npm run bench`: what each request costs against raw Node and Express baselines (part 1), the
// in-memory roster at 1k/10k/100k members (part 2), and MongoDB round trips per request type
// (part 3). Prints three tables and writes docs/benchmarks.md. `--smoke` runs a short version that
// only checks that everything completes and every parity check holds (CI), and writes nothing.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { rosterSorts } from '@partner-team/core';
import { checkParity, measure, scenarios, startTargets, stopTargets } from './http.mjs';
import { runMongo } from './mongo.mjs';
import { runPeer } from './peer.mjs';
import { persistenceReport, runPersistence } from './persistence.mjs';
import { median, runScale, shapes } from './scale.mjs';

const smoke = process.argv.includes('--smoke');
const withNode24 = !smoke && !process.argv.includes('--no-node24');
const rounds = smoke ? 1 : 5;
const seconds = smoke ? 1 : 5;
const warmupSeconds = smoke ? 0.5 : 2;
const log = (line = '') => process.stdout.write(`${line}\n`);
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function node24() {
  try {
    return execFileSync('npx', ['-y', 'node@24', '-p', 'process.version + " " + process.execPath'], { encoding: 'utf8', timeout: 300_000 }).trim().split(' ');
  } catch (error) {
    log(`  Node 24 unavailable (${error instanceof Error ? error.message.split('\n')[0] : error}); part 1 runs on ${process.version} only`);
    return undefined;
  }
}

async function httpPart(execPath, version) {
  log(`\n## Part 1 — HTTP on Node ${version} (${rounds} interleaved rounds of ${seconds} s, 10 connections, 1,000 members)`);
  const targets = await startTargets(execPath);
  try {
    const list = scenarios(targets);
    for (const s of list) await measure(s, targets.auth, warmupSeconds);
    const samples = new Map(list.map((s) => [s.name, []]));
    const steal = [];
    for (let round = 0; round < rounds; round += 1) {
      for (const s of list) {
        const m = await measure(s, targets.auth, seconds);
        samples.get(s.name).push(m);
        steal.push(m.steal);
      }
      log(`  round ${round + 1}/${rounds} done`);
    }
    // The PATCH windows changed only members who are not on the measured page.
    await checkParity(targets);
    log('  parity: the stack still serves the byte-identical member page');
    const rows = list.map((s) => {
      const ms = samples.get(s.name);
      return { name: s.name, reqPerSec: median(ms.map((m) => m.reqPerSec)), p50: median(ms.map((m) => m.p50)), p99: median(ms.map((m) => m.p99)), cpu: median(ms.map((m) => m.cpuPerRequest)) };
    });
    const byName = new Map(rows.map((r) => [r.name, r]));
    const raw = byName.get('raw node:http');
    const express = byName.get('Express 5 + middleware');
    const table = [
      `| request (Node ${version}) | req/s | p50 ms | p99 ms | server CPU µs/req | req/s vs raw | req/s vs Express | CPU vs Express |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map((r) => `| ${r.name} | ${fmt(r.reqPerSec)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.cpu)} | ${fmt(r.reqPerSec / raw.reqPerSec, 2)} | ${fmt(r.reqPerSec / express.reqPerSec, 2)} | ${fmt(r.cpu / express.cpu, 2)} |`),
    ];
    table.forEach((l) => log(l));
    const stack = byName.get('GET /members (stack)');
    const recording = byName.get('GET /members (stack, activity recording on)');
    // The same ratio round by round: how far the machine's noise moves it.
    const perRound = samples.get('GET /members (stack)').map((m, i) => m.reqPerSec / samples.get('Express 5 + middleware')[i].reqPerSec);
    return {
      version,
      table,
      stealPercent: 100 * median(steal),
      pageBytes: targets.pageBytes,
      membersVsExpress: stack.reqPerSec / express.reqPerSec,
      recordingVsOff: recording.reqPerSec / stack.reqPerSec,
      recordingCpuVsOff: recording.cpu / stack.cpu,
      cpuVsExpress: stack.cpu / express.cpu,
      roundRange: [Math.min(...perRound), Math.max(...perRound)],
    };
  } finally {
    await stopTargets(targets);
  }
}

function scalePart() {
  const sizes = smoke ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  log(`\n## Part 2 — in-memory roster at ${sizes.map((s) => s.toLocaleString('en')).join(', ')} members (median µs per page; every page checked against the reference)`);
  const rows = runScale({ sizes, minRuns: smoke ? 30 : 200, budgetMs: smoke ? 20 : 150, log });
  const cell = (size, sort, shape) => rows.find((r) => r.size === size && r.sort === sort && r.shape === shape);
  const table = [
    `| sort | shape | ${sizes.map((s) => `${s.toLocaleString('en')} µs`).join(' | ')} | growth ${sizes[0].toLocaleString('en')} → ${sizes.at(-1).toLocaleString('en')} | matches at ${sizes.at(-1).toLocaleString('en')} |`,
    `|---|---|${sizes.map(() => '---:').join('|')}|---:|---:|`,
  ];
  for (const sort of rosterSorts) {
    for (const shape of shapes) {
      const cells = sizes.map((s) => cell(s, sort, shape));
      table.push(`| ${sort} | ${shape} | ${cells.map((c) => fmt(c.micros, 1)).join(' | ')} | ${fmt(cells.at(-1).micros / cells[0].micros, 1)}× | ${cells.at(-1).matches.toLocaleString('en')} |`);
    }
  }
  table.forEach((l) => log(l));
  const worst = (size) => Math.max(...rows.filter((r) => r.size === size).map((r) => r.micros));
  const growth = Math.max(
    ...rosterSorts.flatMap((sort) =>
      ['first page', 'deep page'].map((shape) => cell(sizes.at(-1), sort, shape).micros / cell(sizes[0], sort, shape).micros),
    ),
  );
  return { table, worst10k: worst(10_000), worst100k: sizes.includes(100_000) ? worst(100_000) : Number.NaN, growth };
}

async function mongoPart() {
  const uri = process.env.MONGODB_URI;
  log('\n## Part 3 — MongoDB round trips per request type (driver command monitoring)');
  if (uri === undefined || uri === '') throw new Error('MONGODB_URI is not set (npm run bench starts FerretDB)');
  const result = await runMongo(uri);
  const table = ['| request | kind | round trips | commands | commands (in order; those sent while another is out travel beside it) |', '|---|---|---:|---:|---|'];
  for (const r of result.rows) table.push(`| ${r.name} | ${r.kind} | ${r.roundTrips} | ${r.commands.length} | ${r.commands.join(', ')} |`);
  table.forEach((l) => log(l));
  const plans = ['Round trips count sequential waits: commands sent while another is still out (a ring slot and a head raised at once) travel beside it. Every read on a request\'s path is an `_id` equality on a collection whose size does not grow with history (`organisation_heads`, `organisation_recent` and `invitation_tokens` are bounded by the organisations and their pending invitations; `users` and `membership_claims` by the users and their joins); every write is an insert or a write by `_id`; see ADR 0006.'];
  plans.forEach((l) => log(l));
  const over = result.rows.filter((r) => r.roundTrips > (r.kind === 'read' ? 2 : 3));
  return { table, plans, over, ferret: result.ferret };
}

const started = new Date();
log(`# Partner Team benchmark${smoke ? ' (smoke run)' : ''} — ${started.toISOString()}`);
const http = [await httpPart(process.execPath, process.version)];
if (withNode24) {
  const found = node24();
  if (found !== undefined) http.push(await httpPart(found[1], found[0]));
}
const scale = scalePart();
const mongo = await mongoPart();
log(`\n## Part 4 — persistence under sustained use (${smoke ? 'smoke sizes' : 'history, team size, loading, idle'})`);
const persistence = persistenceReport(await runPersistence(process.env.MONGODB_URI, { smoke, log }));
persistence.historyTable.forEach((l) => log(l));
log('');
persistence.organisationsTable.forEach((l) => log(l));
log('');
persistence.sizeTable.forEach((l) => log(l));

const verdict = (ok) => (ok ? 'met' : '**not met**');
const targets = [
  ...http.map(
    (h) =>
      `- GET /members through the whole stack vs the Express 5 + middleware baseline on Node ${h.version}: ${fmt(h.membersVsExpress, 2)}× the requests per second (rounds ${fmt(h.roundRange[0], 2)}–${fmt(h.roundRange[1], 2)}×), ${fmt(h.cpuVsExpress, 2)}× the CPU per request — ${verdict(h.membersVsExpress >= 1)}.`,
  ),
  ...http.map(
    (h) =>
      `- GET /members through the whole stack with last-activity recording on vs off, same run, Node ${h.version}: ${fmt(h.recordingVsOff, 2)}× the requests per second, ${fmt(h.recordingCpuVsOff, 2)}× the CPU per request — ${verdict(h.recordingVsOff >= 0.95)} (not slower beyond the run's noise, 5 %).`,
  ),
  `- In-memory listing, slowest query shape: ${fmt(scale.worst10k, 1)} µs at 10k (≤ 50) — ${verdict(scale.worst10k <= 50)}; ${Number.isFinite(scale.worst100k) ? `${fmt(scale.worst100k, 1)} µs at 100k (≤ 1,000) — ${verdict(scale.worst100k <= 1000)}` : '100k not run'}; non-search pages grow at most ${fmt(scale.growth, 1)}× (≤ 3) — ${verdict(scale.growth <= 3)}.`,
  `- MongoDB adapter, ≤ 2 round trips per read and ≤ 3 per mutation: ${mongo.over.length === 0 ? 'met' : `**not met** for ${mongo.over.map((r) => `${r.name} (${r.roundTrips})`).join(', ')}`}.`,
  ...persistence.targets,
];
// The peer row (peer.mjs): better-auth's list-members side by side; skipped in smoke runs.
const peer = await runPeer({ smoke, log });
targets.push(...peer.targets);

log('\n## Targets');
targets.forEach((l) => log(l));

if (!smoke) {
  const cpus = os.cpus();
  const report = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${started.toISOString().slice(0, 10)}. Machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}. Node ${http.map((h) => h.version).join(' and ')}. Steal time during part 1: ${http.map((h) => `${fmt(h.stealPercent, 1)} % (Node ${h.version})`).join(', ')}. Figures are medians; ratios compare runs interleaved in the same session, which is what to read on a shared, noisy machine.`,
    '',
    '## Targets',
    '',
    ...targets,
    '',
    `## Part 1 — HTTP (autocannon from a separate process, 10 connections, ${rounds} interleaved rounds of ${seconds} s, in-memory store with one organisation of 1,000 members)`,
    '',
    `The baselines serve the byte-identical member page (${http[0].pageBytes} bytes, checked at start and again after the rounds, whose PATCHes change only members not on that page): raw \`node:http\` with a precomputed body, and a plain Express 5 app with helmet, cookie-parser, zod query validation, one winston line per request and \`res.json\`. The stack rows go through everything: session (JWT) verification, CSRF on the PATCH, membership resolution, authorization, the domain query, strict zod validation, problem mapping and one winston line. Server CPU per request is the target process's CPU time over the window divided by the requests served.`,
    '',
    ...http.flatMap((h) => [...h.table, '']),
    '## Part 2 — in-memory roster (in process)',
    '',
    'Median µs per page of 25. Every page was compared with core\'s `referenceRosterPage` (filter + full sort) before timing. Terms: common = "ann" (one member in eight), rare = "quixote" (one in a thousand, longer than a trigram), none = "zzqx".',
    '',
    ...scale.table,
    '',
    '## Part 3 — MongoDB round trips',
    '',
    `Each request type executed once through the use cases on the MongoDB adapter${mongo.ferret ? ' (FerretDB here)' : ''}, counting driver commands. Counts are with this process's claim cache warm; a process's first request for a user adds one claim read.`,
    '',
    ...mongo.table,
    '',
    ...mongo.plans,
    '',
    '## Part 4 — persistence under sustained use',
    '',
    'On the same server as part 3, through the bundled server (a forked process in its production configuration, MongoDB store) over HTTP, one request at a time; medians of the measured requests. The organisation is loaded and changed from the benchmark process through the adapter, as another server process would. Store CPU is FerretDB\'s own CPU time per request, read from /proc.',
    '',
    ...persistence.historyTable,
    '',
    ...persistence.organisationsTable,
    '',
    ...persistence.sizeTable,
    '',
  ];
  report.push(...peer.markdown);
  const path = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
  writeFileSync(path, `${report.join('\n')}\n`);
  log(`\nwrote ${path}`);
}
