#!/usr/bin/env node
// npm runs this in a package's directory around `npm pack`/`npm publish` (its prepack and postpack
// scripts): the repository keeps one LICENSE, and every tarball carries a copy.
//   node ../../scripts/pack-license.mjs add | remove
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../LICENSE', import.meta.url));
if (process.argv[2] === 'add') copyFileSync(root, 'LICENSE');
else if (process.argv[2] === 'remove') rmSync('LICENSE', { force: true });
else {
  console.error('usage: pack-license.mjs add | remove');
  process.exit(2);
}
