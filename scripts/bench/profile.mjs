#!/usr/bin/env node
// Where the time goes: profiles the Express baseline and the stack serving GET /members under the
// same load, and prints each process's busy time by category (our packages, libraries, Node's
// own code, native I/O). Usage: node scripts/bench/profile.mjs [path-to-node]   (after a build)
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { measure, scenarios, startTargets, stopTargets } from './http.mjs';

const dir = '/tmp/partner-team-profile';
rmSync(dir, { recursive: true, force: true });
mkdirSync(`${dir}/stack`, { recursive: true });
mkdirSync(`${dir}/express`, { recursive: true });
process.env.PROFILE = dir;
const targets = await startTargets(process.argv[2] ?? process.execPath);
const [, express, stack] = scenarios(targets);
for (const s of [express, stack]) await measure(s, targets.auth, 1);
for (const s of [express, stack]) {
  const m = await measure(s, targets.auth, 6);
  console.log(`${s.name}: ${Math.round(m.reqPerSec)} req/s, ${Math.round(m.cpuPerRequest)} µs CPU per request`);
}
await stopTargets(targets);

for (const name of ['express', 'stack']) {
  const file = readdirSync(`${dir}/${name}`)[0];
  const profile = JSON.parse(readFileSync(`${dir}/${name}/${file}`, 'utf8'));
  const time = new Map();
  profile.samples.forEach((id, i) => time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const categories = new Map();
  let busy = 0;
  for (const node of profile.nodes) {
    const t = time.get(node.id) ?? 0;
    if (node.callFrame.functionName === '(idle)') continue;
    busy += t;
    const url = node.callFrame.url;
    const category = url.includes('/packages/')
      ? `ours: ${url.split('/packages/')[1].split('/')[0]}`
      : url.includes('node_modules/')
        ? `library: ${url.split('node_modules/').pop().split('/')[0]}`
        : url.startsWith('node:')
          ? 'Node.js (JavaScript)'
          : `native: ${node.callFrame.functionName || '(unnamed)'}`;
    categories.set(category, (categories.get(category) ?? 0) + t);
  }
  console.log(`\n${name}: ${Math.round(busy / 1000)} ms busy`);
  for (const [category, t] of [...categories].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`  ${((100 * t) / busy).toFixed(1).padStart(5)} %  ${category}`);
  }
}
