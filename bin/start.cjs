#!/usr/bin/env node
// `npm start`: opens Errand. The desktop shell needs Electron's binary; where it is missing, say so plainly.
const { existsSync, readFileSync } = require('node:fs');
const { join, dirname } = require('node:path');
const { spawnSync } = require('node:child_process');

function electronBinary() {
  try {
    const pkg = dirname(require.resolve('electron/package.json'));
    const relative = readFileSync(join(pkg, 'path.txt'), 'utf8').trim();
    const binary = join(pkg, 'dist', relative);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const errand = join(__dirname, 'errand.cjs');
const run = (...args) => spawnSync(process.execPath, [errand, ...args], { stdio: 'inherit' }).status ?? 1;

if (!electronBinary()) {
  console.log(
    "Electron's binary is not installed here (its download is skipped: npm cannot fetch it on this machine),\n" +
      'so the desktop shell cannot open.',
  );
}
console.log('The tray app and dashboard are not built yet; the engine and the errand CLI are.\n');
const code = run('daemon', 'start');
if (code !== 0) process.exit(code);
console.log('\nTry:  npx errand profile add echo -- echo {prompt}');
console.log('      npx errand add "say hello" --repo . --profile echo');
console.log('      npx errand ls   ·   npx errand logs 1   ·   npx errand --help');
