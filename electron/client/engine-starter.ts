// Finds the engine for a data directory, starting it when none is running: for the CLI and Electron main alike.
import { spawn } from 'node:child_process';
import { closeSync, fchmodSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import type { DataDirLayout } from '../../shared/data-dir.js';
import { parsePid } from '../../shared/data-dir.js';
import { ErrandError, isProtocolError } from '../../shared/protocol/errors.js';

export const ENGINE_START_TIMEOUT_MS = 15_000;
const CONNECT_RETRY_MS = 25;
const READY_LINE = 'errand-engine-ready';
const FAILED_LINE = 'errand-engine-failed';
/** The exit code of an engine that found another one already running for its data directory. */
const DEFERRED_EXIT_CODE = 3;

export function isNoEngine(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

/** Connects with `connect`, or returns null when no engine listens on the layout's socket. */
export async function connectIfRunning<T>(layout: DataDirLayout, connect: (socketPath: string) => Promise<T>): Promise<T | null> {
  try {
    return await connect(layout.socket);
  } catch (error) {
    if (isNoEngine(error)) return null;
    throw error;
  }
}

/**
 * Connects, starting the engine (the bundle at `engineEntry`) first when needed. Two clients racing here both end up
 * on the one engine.
 */
export async function connectOrStart<T>(layout: DataDirLayout, engineEntry: string, connect: (socketPath: string) => Promise<T>): Promise<T> {
  const running = await connectIfRunning(layout, connect);
  if (running) return running;
  await startEngine(layout, engineEntry);
  const deadline = Date.now() + ENGINE_START_TIMEOUT_MS;
  for (;;) {
    const client = await connectIfRunning(layout, connect);
    if (client) return client;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, CONNECT_RETRY_MS));
  }
  throw new ErrandError('internal', `The engine did not start within ${ENGINE_START_TIMEOUT_MS / 1000} s. See ${layout.engineLog}.`);
}

/** Starts the engine detached and waits until it is ready, or has deferred to another engine that is. */
export function startEngine(layout: DataDirLayout, engineEntry: string): Promise<void> {
  mkdirSync(layout.root, { recursive: true, mode: 0o700 });
  const log = openEngineLog(layout);
  // A small young generation: the engine's garbage is many short-lived objects, and RSS stays flat under a flood.
  const child = spawn(process.execPath, ['--max-semi-space-size=2', engineEntry], {
    detached: true,
    stdio: ['ignore', 'pipe', log ?? 'ignore'],
    env: { ...process.env, ERRAND_HOME: layout.root },
  });
  if (log !== null) closeSync(log);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => finish(new ErrandError('internal', `The engine did not start in time. See ${layout.engineLog}.`)), ENGINE_START_TIMEOUT_MS);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      child.stdout!.destroy();
      child.unref();
      if (error) reject(error);
      else resolve();
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY_LINE)) finish();
    });
    child.once('error', (error) => finish(new ErrandError('internal', `Could not start the engine: ${error.message}`)));
    // 'close', not 'exit': by then all the engine wrote on stdout (a failure's reason) has been read.
    child.once('close', (code) => {
      // Another engine won the race; the caller connects to that one.
      if (code === DEFERRED_EXIT_CODE) finish();
      else finish(startFailure(output) ?? new ErrandError('internal', `The engine exited during start-up (code ${code}). See ${layout.engineLog}.`));
    });
  });
}

/**
 * engine.log, owner-only whatever the umask or an older mode: it holds what the engine says about runs. When it cannot
 * be opened (a data directory that is not ours), the engine still starts, to say why it will not run there.
 */
function openEngineLog(layout: DataDirLayout): number | null {
  let fd: number;
  try {
    fd = openSync(layout.engineLog, 'a', 0o600);
  } catch {
    return null;
  }
  try {
    fchmodSync(fd, 0o600);
    return fd;
  } catch {
    closeSync(fd);
    return null;
  }
}

/** The reason an engine gave for not starting (its FAILED_LINE), e.g. a database from a newer Errand. */
function startFailure(output: string): ErrandError | null {
  const line = output.split('\n').find((l) => l.startsWith(`${FAILED_LINE} `));
  if (!line) return null;
  try {
    const reason: unknown = JSON.parse(line.slice(FAILED_LINE.length + 1));
    return isProtocolError(reason) ? new ErrandError(reason.code, `The engine could not start: ${reason.message}`) : null;
  } catch {
    return null;
  }
}

/** The pid the engine wrote in its data directory, if there is one. */
export function readPid(pidFile: string): number | null {
  try {
    return parsePid(readFileSync(pidFile, 'utf8'));
  } catch {
    return null;
  }
}
