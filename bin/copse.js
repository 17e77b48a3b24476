#!/usr/bin/env node
// The compiled CLI lives in dist/; `npm ci` builds it through the prepare script.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('copse: dist/ is missing; run `npm ci` (or `npm run build`) in the copse checkout first\n');
  process.exit(1);
}
await import(entry.href);
