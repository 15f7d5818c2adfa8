// Finds each agent CLI the way a GUI app must: not only on the engine's PATH, but on the login shell's and in the
// places installers put them. Every probe has a time limit, so a broken CLI is reported, never waited on forever.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isExecutableFile } from '../runner/resolve-command.js';
import type { AgentAdapter, Detection } from './adapter.js';

/** How long `<cli> --version` may take before the CLI is called broken (ERRAND_PROBE_TIMEOUT_MS overrides). */
export const PROBE_TIMEOUT_MS = Number(process.env.ERRAND_PROBE_TIMEOUT_MS) || 10_000;
const LOGIN_SHELL_TIMEOUT_MS = 3_000;

function run(file: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<{ ok: boolean; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', env: env ?? process.env, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const timedOut = (error as { killed?: boolean } | null)?.killed === true;
      resolve({ ok: !error, output: `${stdout}${stderr}`, timedOut });
    });
  });
}

/** The PATH a login shell sets up (what the person's terminal sees), or '' when it cannot be read in time. */
export async function loginShellPath(): Promise<string> {
  const shell = process.env.SHELL || '/bin/sh';
  const marker = '__ERRAND_PATH__';
  const result = await run(shell, ['-l', '-c', `printf '${marker}%s${marker}' "$PATH"`], LOGIN_SHELL_TIMEOUT_MS);
  return result.output.split(marker)[1] ?? '';
}

/** Where installers put CLIs, in the order they are searched after the PATHs. */
export function wellKnownDirs(home = homedir()): string[] {
  const dirs = [
    join(home, '.local/bin'),
    join(home, '.npm-global/bin'),
    join(home, '.bun/bin'),
    join(home, '.volta/bin'),
    join(home, '.yarn/bin'),
    '/opt/homebrew/bin',
    '/usr/local/bin',
    '/usr/bin',
  ];
  if (process.env.npm_config_prefix) dirs.push(join(process.env.npm_config_prefix, 'bin'));
  try {
    const nvm = join(home, '.nvm/versions/node');
    for (const version of readdirSync(nvm).sort().reverse()) dirs.push(join(nvm, version, 'bin'));
  } catch {
    // No nvm.
  }
  return dirs;
}

export function searchDirs(loginPath: string, enginePath = process.env.PATH ?? ''): string[] {
  const all = [...enginePath.split(delimiter), ...loginPath.split(delimiter), ...wellKnownDirs()].filter(Boolean);
  return [...new Set(all)];
}

export function findBinary(names: readonly string[], dirs: string[]): string | null {
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

export async function detect(adapter: AgentAdapter, dirs: string[], override?: string): Promise<Detection> {
  const base = { adapter: adapter.id, install: adapter.install };
  const binary = override ?? findBinary(adapter.binaryNames, dirs);
  if (!binary) {
    return { ...base, found: false, binary: null, version: null, usable: false, problem: `not found (looked in ${dirs.length} places, including the login shell's PATH). Install: ${adapter.install}` };
  }
  if (override && !isExecutableFile(override)) {
    return { ...base, found: false, binary, version: null, usable: false, problem: `${override} is not an executable file. Fix the profile's --binary.` };
  }
  const env = { ...process.env, PATH: [...new Set([join(binary, '..'), ...dirs])].join(delimiter) };
  const probe = await run(binary, ['--version'], PROBE_TIMEOUT_MS, env);
  if (probe.timedOut) {
    return { ...base, found: true, binary, version: null, usable: false, problem: `${binary} did not answer --version within ${PROBE_TIMEOUT_MS / 1000} s; it may be broken. Reinstall: ${adapter.install}` };
  }
  const version = adapter.version?.(probe.output) ?? null;
  if (!probe.ok || !version) {
    const said = probe.output.trim().split('\n')[0]?.slice(0, 200) || 'nothing';
    return { ...base, found: true, binary, version, usable: false, problem: `${binary} --version failed (it said: ${said}). Reinstall: ${adapter.install}` };
  }
  return { ...base, found: true, binary, version, usable: true, problem: null };
}
