// Bundles each Node entry point into one file under dist/, so the CLI and the engine start fast.
// Native modules stay external: only the engine loads them, from node_modules.
import { build } from 'esbuild';

const entries = {
  engine: 'electron/engine/main.ts',
  cli: 'electron/cli/main.ts',
  'opencode-driver': 'electron/engine/agents/opencode-driver/main.ts',
};

await Promise.all(
  Object.entries(entries).map(([name, entry]) =>
    build({
      entryPoints: [entry],
      outfile: `dist/${name}.cjs`,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: 'linked',
      external: ['node-pty', 'better-sqlite3'],
      logLevel: 'warning',
    }),
  ),
);
