#!/usr/bin/env node
// What a consumer of the published packages sees, checked after a build (`npm test` runs it):
//   1. packs every workspace package and checks what each tarball ships;
//   2. for every package, an empty project installs what its README's `npm install` lines name (the
//      Partner Team packages from the tarballs, with the ones they depend on, everything else from
//      the registry) and nothing more, then type-checks its README example and an import of each of
//      its entry points (strict, nodenext, no skipLibCheck) and runs them — so a dependency a package
//      forgot to declare, or an example that does not compile or run, fails here;
//   3. the root README's examples, in one project: the core example must print its refusal, and the
//      Express example must answer /me, /members and refuse a self-PATCH.
// Exits 1 with the reason when a consumer would fail. `--keep` leaves the projects in place.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const dir = mkdtempSync(join(tmpdir(), 'partner-team-consumer-'));
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const log = (line) => process.stdout.write(`${line}\n`);
const fail = (message) => {
  process.stderr.write(`consumer check FAILED: ${message}\n(left in ${dir})\n`);
  process.exit(1);
};
const run = (command, args, options = {}) => {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  } catch (error) {
    fail(`${options.cwd ?? ''}$ ${command} ${args.join(' ')}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
};
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

// 1. The tarballs, as `npm publish` would build them.
const tarballs = join(dir, 'tarballs');
mkdirSync(tarballs);
run('npm', ['pack', '--workspaces', '--pack-destination', tarballs, '--silent'], { cwd: root });
const workspaces = readJson(join(root, 'package.json')).workspaces.map((workspace) => {
  const manifest = readJson(join(root, workspace, 'package.json'));
  return { workspace, manifest, tarball: join(tarballs, `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`) };
});
const byName = new Map(workspaces.map((w) => [w.manifest.name, w]));
const packed = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
if (packed.length !== workspaces.length) fail(`expected ${workspaces.length} tarballs, got ${packed.join(', ')}`);
for (const { tarball } of workspaces) {
  const files = run('tar', ['-tzf', tarball]).split('\n').filter(Boolean);
  for (const required of ['package/LICENSE', 'package/README.md', 'package/package.json']) {
    if (!files.includes(required)) fail(`${tarball} lacks ${required}`);
  }
  const unwanted = files.filter((f) => /\.spec\.|test-support\/|\.tsbuildinfo$|\/src\//.test(f));
  if (unwanted.length > 0) fail(`${tarball} ships test support or sources: ${unwanted.slice(0, 5).join(', ')}`);
  // Source maps must resolve inside the tarball: their sources are embedded.
  for (const map of files.filter((f) => f.endsWith('.js.map')).slice(0, 50)) {
    const content = JSON.parse(run('tar', ['-xzOf', tarball, map]));
    if (!Array.isArray(content.sourcesContent) || content.sourcesContent.some((s) => typeof s !== 'string')) fail(`${tarball}: ${map} has no sourcesContent`);
  }
  if (files.some((f) => f.endsWith('.d.ts.map'))) fail(`${tarball} ships declaration maps pointing at sources it does not ship`);
}
log(`packed ${packed.length} packages, each with LICENSE and README, no test support, self-contained source maps`);

const entryPoints = (manifest) => Object.keys(manifest.exports ?? {}).map((subpath) => `${manifest.name}${subpath === '.' ? '' : subpath.slice(1)}`);
const tsconfig = {
  compilerOptions: {
    target: 'ES2023',
    lib: ['ES2023'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    types: ['node'],
    outDir: 'dist',
    rootDir: 'src',
  },
  include: ['src'],
};

/** The Partner Team packages `names` need, from the tarballs: the names and every package they depend on. */
function closure(names) {
  const needed = new Set();
  const visit = (name) => {
    const w = byName.get(name);
    if (w === undefined || needed.has(name)) return;
    needed.add(name);
    for (const dep of [...Object.keys(w.manifest.dependencies ?? {}), ...Object.keys(w.manifest.peerDependencies ?? {})]) visit(dep);
  };
  names.forEach(visit);
  return [...needed];
}

/** An empty project with `specs` installed and `sources` type-checked and built. */
function project(name, specs, sources) {
  const path = join(dir, name);
  mkdirSync(join(path, 'src'), { recursive: true });
  writeFileSync(join(path, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }, null, 2));
  const ours = closure(specs.filter((s) => byName.has(s)));
  const theirs = specs.filter((s) => !byName.has(s) && !s.startsWith('@partner-team/'));
  const unknown = specs.filter((s) => s.startsWith('@partner-team/') && !byName.has(s));
  if (unknown.length > 0) fail(`${name}: installs ${unknown.join(', ')}, which is not a package of this repository`);
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...ours.map((n) => byName.get(n).tarball), ...theirs, '@types/node@^20.19.0'], { cwd: path });
  for (const [file, code] of Object.entries(sources)) writeFileSync(join(path, 'src', file), `${code}\n`);
  writeFileSync(join(path, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  run(process.execPath, [tsc, '-p', path]);
  return path;
}

// 2. Each package as its README tells a consumer to install and use it.
for (const { workspace, manifest } of workspaces) {
  const readme = readFileSync(join(root, workspace, 'README.md'), 'utf8');
  const installs = [...readme.matchAll(/^npm install (?:--save-dev )?([^#\n]+)/gm)].flatMap((m) => m[1].trim().split(/\s+/));
  const examples = [...readme.matchAll(/```ts\n([\s\S]*?)\n```/g)].map((m) => m[1]);
  if (!installs.includes(manifest.name)) fail(`${workspace}/README.md does not tell how to install ${manifest.name}`);
  const entries = entryPoints(manifest);
  const sources = {
    'entries.ts': `${entries.map((e, n) => `import * as entry${n} from '${e}';`).join('\n')}\nconsole.log([${entries.map((_, n) => `entry${n}`).join(', ')}].map((m) => Object.keys(m).length).join(' '));`,
    ...Object.fromEntries(examples.map((code, n) => [`example-${n}.ts`, code])),
  };
  const path = project(manifest.name.split('/')[1], installs, sources);
  const counts = run(process.execPath, ['dist/entries.js'], { cwd: path }).trim();
  // The MongoDB example needs a server; `npm test` provides one in MONGODB_URI.
  const runnable = manifest.name !== '@partner-team/mongodb' || process.env.MONGODB_URI !== undefined;
  for (let n = 0; n < examples.length && runnable; n += 1) run(process.execPath, [`dist/example-${n}.js`], { cwd: path, env: process.env });
  log(`${manifest.name}: installed as its README says (${installs.join(' ')}); ${entries.length} entry point(s) imported (${counts} names), ${examples.length} README example(s) type-checked${runnable && examples.length > 0 ? ' and run' : ''}`);
}

// 3. The root README's examples, verbatim.
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/<!-- consumer-check: ([\w-]+\.ts) -->\n```ts\n([\s\S]*?)\n```/g)].map((m) => ({ file: m[1], code: m[2] }));
if (examples.map((e) => e.file).join(',') !== 'embed-core.ts,serve-api.ts') fail(`the README's marked examples are ${examples.map((e) => e.file).join(', ') || 'missing'}`);
const checkExpress = `import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { CsrfTokens, JwtSessionAuthenticator } from '@partner-team/express';

const secret = randomBytes(32).toString('base64url');
const child = spawn(process.execPath, [new URL('./serve-api.js', import.meta.url).pathname], { env: { ...process.env, SESSION_SECRET: secret, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout }).on('line', (line) => {
    const match = /listening on (\\S+)/.exec(line);
    if (match?.[1] !== undefined) resolve(match[1]);
  });
  child.once('exit', (code) => reject(new Error(\`the example exited with \${String(code)}\`)));
});
try {
  const sessionId = randomBytes(12).toString('base64url');
  const cookie = \`partner_session=\${new JwtSessionAuthenticator(secret).issue({ userId: 'ada', sessionId }, 600)}\`;
  const me = await fetch(\`\${base}/me\`, { headers: { cookie } });
  const meBody = (await me.json()) as { role?: string; csrfToken?: string };
  if (me.status !== 200 || meBody.role !== 'partner_admin' || meBody.csrfToken !== new CsrfTokens(secret).tokenFor(sessionId)) throw new Error(\`/me answered \${me.status}\`);
  const members = await fetch(\`\${base}/members\`, { headers: { cookie } });
  const membersBody = (await members.json()) as { total?: number; items?: { userId: string }[] };
  if (members.status !== 200 || membersBody.total !== 1 || membersBody.items?.[0]?.userId !== 'ada') throw new Error(\`/members answered \${members.status}\`);
  const patch = await fetch(\`\${base}/members/ada\`, {
    method: 'PATCH',
    headers: { cookie, 'x-csrf-token': meBody.csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'partner_user' }),
  });
  const patchBody = (await patch.json()) as { code?: string };
  if (patch.status !== 403 || patchBody.code !== 'self_role_change_forbidden') throw new Error(\`the self-PATCH answered \${patch.status} \${String(patchBody.code)}\`);
  console.log('the mounted router answered /me and /members, and refused the self-PATCH with self_role_change_forbidden');
} finally {
  child.kill();
}`;
const readmeProject = project(
  'readme',
  [...readme.matchAll(/npm install (@partner-team\/[\w-]+(?: @partner-team\/[\w-]+)*)/g)].flatMap((m) => m[1].split(' ')).concat(['@partner-team/express', 'express@^5.1.0', '@types/express@^5.0.0']),
  { ...Object.fromEntries(examples.map((e) => [e.file, e.code])), 'check-express.ts': checkExpress },
);
const embedded = run(process.execPath, ['dist/embed-core.js'], { cwd: readmeProject });
if (!embedded.includes('Cy Hopper is now partner_admin') || !embedded.includes('refused: self_role_change_forbidden')) fail(`the core example printed:\n${embedded}`);
log('the README core example ran: promoted cy, refused the self role change');
const served = await new Promise((resolve) => {
  const child = spawn(process.execPath, ['dist/check-express.js'], { cwd: readmeProject, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  child.once('exit', (code) => resolve({ code, output }));
});
if (served.code !== 0) fail(`the README's Express example:\n${served.output}`);
log(served.output.trim().split('\n').at(-1));
if (!keep) rmSync(dir, { recursive: true, force: true });
log('consumer check passed');
