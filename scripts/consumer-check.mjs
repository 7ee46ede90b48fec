#!/usr/bin/env node
// What a consumer of the published packages sees, checked after a build (`npm test` runs it):
// packs every workspace package, installs the tarballs with express and mongodb into an empty
// directory, type-checks the README's examples there (strict, nodenext, no skipLibCheck) next to a
// file importing every package entry point, then runs them: the core example must print its
// refusal, and the Express example must answer /me, /members and refuse a self-PATCH. Exits 1 with
// the reason when a consumer would fail.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const dir = mkdtempSync(join(tmpdir(), 'partner-team-consumer-'));
const log = (line) => process.stdout.write(`${line}\n`);
const fail = (message) => {
  process.stderr.write(`consumer check FAILED: ${message}\n(left in ${dir})\n`);
  process.exit(1);
};
const run = (command, args, options = {}) => {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  } catch (error) {
    fail(`${command} ${args.join(' ')}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
};

// 1. The tarballs, as `npm publish` would build them.
const tarballs = join(dir, 'tarballs');
mkdirSync(tarballs);
run('npm', ['pack', '--workspaces', '--pack-destination', tarballs, '--silent'], { cwd: root });
const packed = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
const packages = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
if (packed.length !== packages.length) fail(`expected ${packages.length} tarballs, got ${packed.join(', ')}`);
for (const tarball of packed) {
  const files = run('tar', ['-tzf', join(tarballs, tarball)]).split('\n').filter(Boolean);
  for (const required of ['package/LICENSE', 'package/README.md', 'package/package.json']) {
    if (!files.includes(required)) fail(`${tarball} lacks ${required}`);
  }
  const unwanted = files.filter((f) => /\.spec\.|test-support\/|\.tsbuildinfo$|\/src\//.test(f));
  if (unwanted.length > 0) fail(`${tarball} ships test support or sources: ${unwanted.slice(0, 5).join(', ')}`);
  // Source maps must resolve inside the tarball: their sources are embedded.
  for (const map of files.filter((f) => f.endsWith('.js.map')).slice(0, 50)) {
    const content = JSON.parse(run('tar', ['-xzOf', join(tarballs, tarball), map]));
    if (!Array.isArray(content.sourcesContent) || content.sourcesContent.some((s) => typeof s !== 'string')) fail(`${tarball}: ${map} has no sourcesContent`);
  }
  if (files.some((f) => f.endsWith('.d.ts.map'))) fail(`${tarball} ships declaration maps pointing at sources it does not ship`);
}
log(`packed ${packed.length} packages, each with LICENSE and README, no test support, self-contained source maps`);

// 2. An empty project that installs them, as a consumer would.
const project = join(dir, 'project');
mkdirSync(join(project, 'src'), { recursive: true });
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
run(
  'npm',
  ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packed.map((t) => join(tarballs, t)), 'express@^5.1.0', 'mongodb@^7.0.0', '@types/express@^5.0.0', '@types/node@^20.19.0'],
  { cwd: project },
);
log('installed the tarballs with express, mongodb, @types/express and @types/node');

// 3. The README's examples, verbatim, and a file importing every entry point.
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/<!-- consumer-check: ([\w-]+\.ts) -->\n```ts\n([\s\S]*?)\n```/g)].map((m) => ({ file: m[1], code: m[2] }));
if (examples.map((e) => e.file).join(',') !== 'embed-core.ts,serve-api.ts') fail(`the README's marked examples are ${examples.map((e) => e.file).join(', ') || 'missing'}`);
for (const { file, code } of examples) writeFileSync(join(project, 'src', file), `${code}\n`);
const entries = [];
for (const workspace of packages) {
  const manifest = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8'));
  for (const subpath of Object.keys(manifest.exports ?? {})) entries.push(`${manifest.name}${subpath === '.' ? '' : subpath.slice(1)}`);
}
// The test-framework subpaths of testing need chai and mocha, which a consumer installs only to use them.
const frameworkFree = entries.filter((e) => !/^@partner-team\/testing\/(assertions|contracts)$/.test(e));
writeFileSync(
  join(project, 'src', 'imports.ts'),
  `${frameworkFree.map((e, n) => `import * as entry${n} from '${e}';`).join('\n')}\nconsole.log([${frameworkFree.map((_, n) => `entry${n}`).join(', ')}].map((m) => Object.keys(m).length).join(' '));\n`,
);
writeFileSync(
  join(project, 'src', 'check-express.ts'),
  `import { spawn } from 'node:child_process';
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
}
`,
);
writeFileSync(
  join(project, 'tsconfig.json'),
  JSON.stringify(
    {
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
    },
    null,
    2,
  ),
);

// 4. Type-check and build as the consumer would, then run.
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project]);
log('type-checked the README examples and every entry point (strict, nodenext, skipLibCheck false)');
log(`entry points: ${entries.length}, exported names per framework-free entry: ${run(process.execPath, ['dist/imports.js'], { cwd: project }).trim()}`);
const embedded = run(process.execPath, ['dist/embed-core.js'], { cwd: project });
if (!embedded.includes('Cy Hopper is now partner_admin') || !embedded.includes('refused: self_role_change_forbidden')) fail(`the core example printed:\n${embedded}`);
log('the core example ran: promoted cy, refused the self role change');
const served = await new Promise((resolve) => {
  const child = spawn(process.execPath, ['dist/check-express.js'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  child.once('exit', (code) => resolve({ code, output }));
});
if (served.code !== 0) fail(`the Express example:\n${served.output}`);
log(served.output.trim().split('\n').at(-1));
if (!keep) rmSync(dir, { recursive: true, force: true });
log('consumer check passed');
