// A crashed engine leaves runs marked live whose PTYs died with it: mark them interrupted, keep their logs.
import { readdirSync, readFileSync } from 'node:fs';
import type { DataDirLayout } from '../../shared/data-dir.js';
import { runFiles } from '../../shared/data-dir.js';
import { LIVE_RUN_STATUSES } from '../../shared/domain.js';
import { signalGroup } from './runner/pty-process.js';
import { logSize } from './runner/run-log.js';
import type { RunUpdate } from './store/runs-store.js';
import type { Store } from './store/store.js';

/**
 * `unsaved`: final statuses an earlier engine could not write (its disk was full); a run that has one ended that way, it
 * was not interrupted. Each run is recorded on its own, so a disk that is still full holds the change, not the start-up.
 */
export function recoverRuns(
  store: Store,
  layout: DataDirLayout,
  record: (taskId: number, runId: number, fields: RunUpdate) => void,
  unsaved: ReadonlyMap<number, RunUpdate> = new Map(),
): number {
  const orphans = store.runs.withStatus(LIVE_RUN_STATUSES);
  for (const run of orphans) {
    // Its terminal is gone, so it cannot be re-adopted; make sure nothing of it keeps running unseen.
    if (run.pid && groupHasProcessOfRun(run.pid, run.id)) signalGroup(run.pid, 'SIGKILL');
    const logBytes = logSize(runFiles(layout, run.id).log);
    if (logBytes > run.logBytes && !store.runs.indexChunk(run.id, run.logBytes, logBytes - run.logBytes, Date.now())) {
      console.error(`[engine] could not index the end of run ${run.id}'s log yet: the disk is full or busy`);
    }
    const ended = unsaved.get(run.id);
    record(run.taskId, run.id, {
      ...(ended ?? {
        status: 'interrupted',
        reason: `interrupted: the engine stopped unexpectedly while this run was ${run.status}. \`errand retry ${run.taskId}\` runs it again.`,
      }),
      pid: null,
      logBytes,
      endedAt: ended?.endedAt ?? Date.now(),
    });
  }
  // A queued run cancelled while the disk was full must not start now.
  for (const [runId, fields] of unsaved) {
    const run = store.runs.byId(runId);
    if (run?.status === 'queued') record(run.taskId, runId, fields);
  }
  return orphans.length;
}

/**
 * Whether the process group the run's agent led still holds a process of that run: the agent itself, or what it left
 * behind when it exited while no engine watched (its leader gone, the group lives on).
 */
function groupHasProcessOfRun(pgid: number, runId: number): boolean {
  if (isProcessOfRun(pgid, runId)) return true;
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return false;
  }
  return names.some((name) => /^\d+$/.test(name) && processGroupOf(Number(name)) === pgid && isProcessOfRun(Number(name), runId));
}

function processGroupOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return null;
  }
}

/** Whether `pid` is still that run's agent (its environment names the run), not a stranger that reused the pid. */
function isProcessOfRun(pid: number, runId: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`ERRAND_RUN_ID=${runId}`);
  } catch {
    return false;
  }
}
