#!/usr/bin/env node
// The errand command. The CLI is bundled by `npm install` (the prepare script) into dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.cjs');
if (!existsSync(cli)) {
  process.stderr.write('errand: the CLI is not built yet. Run `npm install` (or `npm run build`) in the errand checkout.\n');
  process.exit(1);
}
require(cli);
