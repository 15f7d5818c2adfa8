// The engine daemon's entry point: `node dist/engine.js` with ERRAND_HOME set. With --check-db or --restore-db it
// runs that maintenance task instead (`errand db check|restore`) and exits.
import { homedir } from 'node:os';
import { dataDirLayout, defaultDataDir } from '../../shared/data-dir.js';
import { ErrandError } from '../../shared/protocol/errors.js';
import { isMaintenanceMode, runMaintenance } from './db-maintenance.js';
import { Engine } from './engine.js';
import { InstanceLock, readPid } from './instance-lock.js';
import { secureDataDir } from './owner-only.js';
import { damageMetAtStart, isCorruption } from './store/integrity.js';

/** Printed on stdout once the socket accepts connections; the CLI waits for it. */
export const READY_LINE = 'errand-engine-ready';
/** Printed on stdout, followed by { code, message } as JSON, when the engine cannot start: the CLI shows the reason. */
export const FAILED_LINE = 'errand-engine-failed';

async function main(): Promise<number> {
  const dataDir = defaultDataDir({ platform: process.platform, homeDir: homedir(), env: process.env });
  const layout = dataDirLayout(dataDir);
  const args = process.argv.slice(2);
  if (isMaintenanceMode(args)) return runMaintenance(args, layout);
  try {
    secureDataDir(layout.root, (line) => console.error(`[engine] ${line}`));
  } catch (error) {
    return failedToStart(error);
  }
  const lock = InstanceLock.acquire(layout.lockFile);
  if (!lock) {
    const pid = readPid(layout.pidFile);
    console.error(`errand: an engine is already running for ${dataDir}${pid ? ` (pid ${pid})` : ''}; not starting another.`);
    return 3;
  }
  let engine: Engine;
  try {
    engine = await Engine.open(dataDir);
    await engine.start();
  } catch (error) {
    return failedToStart(isCorruption(error) ? damageMetAtStart(layout.damageMarker, layout.database, error) : error);
  }
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => void engine.stop(`the engine received ${signal}`));
  }
  process.stdout.on('error', () => {});
  process.stdout.write(`${READY_LINE} ${process.pid}\n`);
  console.error(`[engine] pid ${process.pid} serving ${layout.socket}`);
  await engine.stopped;
  lock.release();
  return 0;
}

function failedToStart(error: unknown): number {
  console.error(`errand: the engine could not start: ${(error as Error).message}`);
  const code = error instanceof ErrandError ? error.code : 'internal';
  process.stdout.on('error', () => {});
  process.stdout.write(`${FAILED_LINE} ${JSON.stringify({ code, message: (error as Error).message })}\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('errand: the engine failed:', error);
    process.exit(1);
  },
);
