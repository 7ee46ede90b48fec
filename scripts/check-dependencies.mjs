#!/usr/bin/env node
// The dependency rule, checked on source: core imports nothing outside itself (no npm package, no
// Node.js built-in, no sibling package) and declares no runtime dependencies; adapters never import
// the server package; nothing imports an adapter into core; the operations CLI uses the production
// packages (core, node, mongodb, express) and never the server, the in-memory store, test support
// or the page. Exit status 1 on any violation.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const specifierPattern = /(?:\bimport\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?|\bexport\s+(?:type\s+)?[^'"`;]*?\s+from\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"`]([^'"`]+)['"`]/g;

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !/\.spec\.ts$/.test(name) ? [path] : [];
  });
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...text.matchAll(specifierPattern)].map((m) => m[1]);
}

const violations = [];
const packages = readdirSync(join(root, 'packages')).filter((p) => statSync(join(root, 'packages', p)).isDirectory());
const rules = {
  core: (spec, file) => {
    if (!spec.startsWith('.')) return `core must not import "${spec}"`;
    const target = resolve(dirname(file), spec);
    if (!target.startsWith(join(root, 'packages/core/src'))) return `core must not reach outside itself ("${spec}")`;
    return undefined;
  },
  'in-memory': (spec) => (/^@partner-team\/(?!core)/.test(spec) ? `the in-memory store depends on core only ("${spec}")` : undefined),
  node: (spec) => (/^@partner-team\/(?!core)/.test(spec) ? `the Node.js adapters depend on core only ("${spec}")` : undefined),
  testing: (spec) => (/^@partner-team\/(?!core|in-memory)/.test(spec) ? `testing depends on core and the in-memory store only ("${spec}")` : undefined),
  mongodb: (spec) => (/^@partner-team\/(?!core)/.test(spec) ? `the MongoDB adapter depends on core only ("${spec}")` : undefined),
  express: (spec) => (/^@partner-team\/(?!core)/.test(spec) ? `the Express adapter depends on core only ("${spec}")` : undefined),
  'ops-cli': (spec) => (/^@partner-team\/(?!(core|node|mongodb|express)(\/|$))/.test(spec) ? `the operations CLI depends on core, node, mongodb and express only ("${spec}")` : undefined),
};

for (const name of packages) {
  const rule = rules[name];
  const src = join(root, 'packages', name, 'src');
  if (rule === undefined || !statSync(src, { throwIfNoEntry: false })?.isDirectory()) continue;
  for (const file of sourceFiles(src)) {
    for (const spec of importsOf(file)) {
      const problem = rule(spec, file);
      if (problem !== undefined) violations.push(`${relative(root, file)}: ${problem}`);
    }
  }
}

// Every npm package a shipped source file imports is declared by its package (dependencies or peer
// dependencies): the express adapter's jose, the server's openid-client and nodemailer… Test support
// and specs may use development dependencies, which are never shipped.
for (const name of packages) {
  const src = join(root, 'packages', name, 'src');
  if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) continue;
  const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
  const declared = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  for (const file of sourceFiles(src)) {
    if (relative(src, file).startsWith('test-support')) continue;
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.') || spec.startsWith('node:')) continue;
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!declared.has(pkg)) violations.push(`${relative(root, file)}: imports "${pkg}", which packages/${name}/package.json does not declare`);
    }
  }
}

const corePackage = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8'));
for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) {
  if (corePackage[field] !== undefined && Object.keys(corePackage[field]).length > 0) {
    violations.push(`packages/core/package.json: core must have no ${field}`);
  }
}

if (violations.length > 0) {
  console.error(`Dependency rule violated:\n${violations.map((v) => `  - ${v}`).join('\n')}`);
  process.exit(1);
}
console.log(`Dependency rule holds (${packages.length} packages checked).`);
