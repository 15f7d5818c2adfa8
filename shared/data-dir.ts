// Where Errand keeps its state. Pure: callers pass in what they know of the platform and environment.

export interface PlatformFacts {
  platform: string;
  homeDir: string;
  env: Record<string, string | undefined>;
}

/** $ERRAND_HOME, else the OS's per-user app-data directory. */
export function defaultDataDir({ platform, homeDir, env }: PlatformFacts): string {
  if (env.ERRAND_HOME) return env.ERRAND_HOME;
  if (platform === 'darwin') return `${homeDir}/Library/Application Support/Errand`;
  if (platform === 'win32') return `${env.APPDATA ?? `${homeDir}\\AppData\\Roaming`}\\Errand`;
  return `${env.XDG_DATA_HOME || `${homeDir}/.local/share`}/errand`;
}

export interface DataDirLayout {
  root: string;
  socket: string;
  pidFile: string;
  lockFile: string;
  database: string;
  engineLog: string;
  /** Final run statuses the database could not take, for the next start (see unsaved-runs-file.ts). */
  unsavedRuns: string;
  runs: string;
  worktrees: string;
  backups: string;
  /** Written when a check finds the database damaged, so no later start writes into it; restore or a clean check clears it. */
  damageMarker: string;
}

export function dataDirLayout(root: string): DataDirLayout {
  const at = (name: string) => `${root.replace(/[\\/]+$/, '')}/${name}`;
  return {
    root,
    socket: at('engine.sock'),
    pidFile: at('engine.pid'),
    lockFile: at('engine.lock'),
    database: at('errand.db'),
    engineLog: at('engine.log'),
    unsavedRuns: at('unsaved-runs.json'),
    runs: at('runs'),
    worktrees: at('worktrees'),
    backups: at('backups'),
    damageMarker: at('errand.db.damaged'),
  };
}

export interface RunFiles {
  dir: string;
  log: string;
  prompt: string;
  inputPipe: string;
}

export function runFiles(layout: DataDirLayout, runId: number): RunFiles {
  const dir = `${layout.runs}/${runId}`;
  return { dir, log: `${dir}/output.log`, prompt: `${dir}/prompt.txt`, inputPipe: `${dir}/input.pipe` };
}

/** The pid in an engine.pid file's text, or null when it holds none. */
export function parsePid(text: string): number | null {
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}
