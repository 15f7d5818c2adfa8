// How much space folders take, counted by `du` in a child process: never on the engine's event loop, and bounded in time.
import { execFile } from 'node:child_process';

const DU_TIMEOUT_MS = 30_000;
/** Folders per du call, so that no argv grows without bound. */
const DU_MAX_PATHS = 200;

function duOnce(paths: readonly string[]): Promise<number | null> {
  return new Promise((resolve) => {
    execFile('du', ['-sk', '-c', '--', ...paths], { timeout: DU_TIMEOUT_MS, maxBuffer: 1024 * 1024 }, (error, stdout) => {
      // du exits 1 when a file vanished under it (a run is writing there): its total is still the best count there is.
      const total = /^(\d+)\s+total$/m.exec(String(stdout));
      if (!total || (error && (error as { code?: unknown }).code !== 1)) return resolve(null);
      resolve(Number(total[1]) * 1024);
    });
  });
}

/** The bytes the folders take together; null when du is missing, or did not finish in time. */
export async function diskUsage(paths: readonly string[]): Promise<number | null> {
  let sum = 0;
  for (let i = 0; i < paths.length; i += DU_MAX_PATHS) {
    const part = await duOnce(paths.slice(i, i + DU_MAX_PATHS));
    if (part === null) return null;
    sum += part;
  }
  return sum;
}
